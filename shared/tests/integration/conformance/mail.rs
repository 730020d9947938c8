//! Sending e-mails: a good e-mail is accepted with the provider's id, a header injection in
//! the subject is defused rather than refused, and an e-mail the provider refuses is
//! `Rejected` (retrying cannot help) rather than `Failed`. Run on the local outbox and on
//! SES (moto, which refuses an unverified sender).

use missive::adapters::aws::ses_mailer::SesMailer;
use missive::adapters::local::Outbox;
use missive::domain::{JobId, TenantId};
use missive::ports::{Email, MailError, Mailer};

fn email() -> Email {
    Email {
        id: JobId::parse("mail:u1:01K").unwrap(),
        tenant: TenantId::parse("acme").unwrap(),
        from: "brigade@missive.test".into(),
        to: "alice@example.com".into(),
        subject: "Nouveau message".into(),
        html: "<p>Bonjour</p>".into(),
        text: "Bonjour".into(),
        unsubscribe_url: Some("https://missive.test/v1/email/unsubscribe?token=abc".into()),
    }
}

async fn emails_are_accepted_defused_or_rejected<M: Mailer + ?Sized>(mailer: &M, refused: Email) {
    let id = mailer.send_email(&email()).await.unwrap();
    assert!(!id.is_empty(), "the provider's id");
    let injected = Email { subject: "Hello\r\nBcc: victim@example.com".into(), ..email() };
    assert!(mailer.send_email(&injected).await.is_ok(), "the subject is made header-safe");
    let refusal = mailer.send_email(&refused).await;
    assert!(matches!(refusal, Err(MailError::Rejected(_))), "{refusal:?}");
}

mod emails_are_accepted_defused_or_rejected {
    use super::*;

    #[tokio::test]
    async fn on_the_local_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path().join("outbox")).unwrap();
        // What no mail server would take: a recipient that is not an address.
        let refused = Email { to: "not an address".into(), ..email() };
        emails_are_accepted_defused_or_rejected(&outbox, refused).await;
        let written = outbox.list().unwrap();
        assert_eq!(written.len(), 2, "the refused one was not written");
        let eml = std::fs::read_to_string(dir.path().join("outbox").join(&written[1].file)).unwrap();
        assert!(eml.contains("Subject: Hello  Bcc: victim@example.com") && !eml.contains("\nBcc:"), "{eml}");
    }

    #[tokio::test]
    async fn on_ses() {
        let sdk = crate::aws_support::sdk_config().await;
        let ses = aws_sdk_sesv2::Client::new(&sdk);
        ses.create_email_identity().email_identity("brigade@missive.test").send().await.unwrap();
        let refused = Email { from: "nobody@elsewhere.test".into(), ..email() };
        emails_are_accepted_defused_or_rejected(&SesMailer::new(ses), refused).await;
    }
}
