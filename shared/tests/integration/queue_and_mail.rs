//! The SQS job queue and the SES mailer against moto: real SDK requests, real answers.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use missive::adapters::aws::provision::create_queues;
use missive::adapters::aws::ses_mailer::SesMailer;
use missive::adapters::aws::sqs_queue::SqsQueue;
use missive::domain::*;
use missive::ports::{Email, JobQueue, MailError, Mailer};

/// A job of the e-mails queue.
fn job(id: &str) -> Job {
    let task = Task::SendEmails(SendEmails { user_id: UserId::parse("alice").unwrap(), digest: false });
    Job::new(&TenantId::parse("acme").unwrap(), JobId::parse(id).unwrap(), task)
}

/// A job of the notifications queue.
fn reminder_job(id: &str) -> Job {
    let task = Task::FireReminder(FireReminder {
        created_by: UserId::parse("alice").unwrap(),
        reminder_id: ReminderId::parse(id).unwrap(),
    });
    Job::new(&TenantId::parse("acme").unwrap(), JobId::parse(id).unwrap(), task)
}

async fn receive_all(client: &aws_sdk_sqs::Client, url: &str) -> Vec<Job> {
    let out = client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    out.messages().iter().map(|m| serde_json::from_str(m.body().unwrap()).unwrap()).collect()
}

#[tokio::test]
async fn jobs_are_sent_delayed_and_batched_to_queues_with_dead_letter_queues() {
    let sdk = crate::aws_support::sdk_config().await;
    let prefix = crate::aws_support::unique_name("q");
    let urls: HashMap<QueueName, String> = create_queues(&sdk, &prefix).await.unwrap();
    assert_eq!(urls.len(), QueueName::ALL.len());
    let client = aws_sdk_sqs::Client::new(&sdk);
    let attributes = client
        .get_queue_attributes()
        .queue_url(&urls[&QueueName::Emails])
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .unwrap();
    let redrive: serde_json::Value =
        serde_json::from_str(&attributes.attributes().unwrap()[&QueueAttributeName::RedrivePolicy]).unwrap();
    assert_eq!(redrive["maxReceiveCount"], 5);
    assert!(redrive["deadLetterTargetArn"].as_str().unwrap().ends_with("-emails-dlq"));

    let queue = SqsQueue::new(client.clone(), urls.clone());
    queue.enqueue(&job("now"), None).await.unwrap();
    queue.enqueue(&job("later"), Some(Duration::from_secs(2))).await.unwrap();
    let first = receive_all(&client, &urls[&QueueName::Emails]).await;
    assert_eq!(first, vec![job("now")], "the delayed job is not visible yet");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receive_all(&client, &urls[&QueueName::Emails]).await, vec![job("later")]);

    let jobs: Vec<Job> = (0..23).map(|i| reminder_job(&format!("j{i}"))).collect();
    queue.enqueue_batch(&jobs).await.unwrap();
    let mut received = Vec::new();
    for _ in 0..10 {
        received.extend(receive_all(&client, &urls[&QueueName::Notifications]).await);
        if received.len() == jobs.len() {
            break;
        }
    }
    received.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = jobs.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(received, expected, "23 jobs in three batches, each once");

    let too_long = queue.enqueue(&job("x"), Some(Duration::from_secs(901))).await;
    assert!(too_long.is_err());
}

#[tokio::test]
async fn emails_go_out_through_ses_with_both_parts_and_refusals_are_told_apart() {
    let sdk = crate::aws_support::sdk_config().await;
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    ses.create_email_identity().email_identity("brigade@missive.test").send().await.unwrap();
    let mailer = SesMailer::new(ses);
    let email = Email {
        id: JobId::parse("mail-1").unwrap(),
        tenant: TenantId::parse("acme").unwrap(),
        from: "Brigade <brigade@missive.test>".into(),
        to: "alice@example.com".into(),
        subject: "Nouveau message\r\nBcc: victim@example.com".into(),
        html: "<p>Bonjour</p>".into(),
        text: "Bonjour".into(),
        unsubscribe_url: Some("https://missive.test/v1/email/unsubscribe?token=abc".into()),
    };
    // The display-name form is what tenants configure; moto verifies the bare address.
    let bare = Email { from: "brigade@missive.test".into(), ..email.clone() };
    let id = mailer.send_email(&bare).await.unwrap();
    assert!(!id.is_empty());

    let unverified = Email { from: "nobody@elsewhere.test".into(), ..email };
    assert!(matches!(mailer.send_email(&unverified).await, Err(MailError::Rejected(_))));
}

#[test]
fn header_values_cannot_carry_new_lines() {
    assert_eq!(Email::header_safe("Hello\r\nBcc: x@y.z"), "Hello  Bcc: x@y.z");
    assert_eq!(Email::header_safe("  Zoé\u{0}  "), "Zoé");
}

/// Each tenant sends as its own SES tenant, made on its first e-mail with the configuration set
/// and the sender's identity associated (SES refuses a send otherwise); a tenant SES pauses is
/// told `Paused` while the others send. (moto has no SES tenants: tests/faults/ses_tenants.py
/// answers their API in the proxy in front of it, as SES does.)
#[tokio::test]
async fn each_tenant_sends_as_its_own_ses_tenant_and_one_paused_does_not_stop_the_others() {
    use aws_sdk_sesv2::types::{ReputationEntityType, SendingStatus};
    let sdk = crate::aws_support::sdk_config().await;
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    ses.create_email_identity().email_identity("brigade@missive.test").send().await.unwrap();
    let set = format!("set-{}", ulid::Ulid::new().to_string().to_lowercase());
    ses.create_configuration_set().configuration_set_name(&set).send().await.unwrap();
    let prefix = format!("it-{}", ulid::Ulid::new().to_string().to_lowercase());
    let mailer = SesMailer::new(ses.clone()).with_configuration_set(Some(set)).with_tenant_prefix(Some(prefix.clone()));
    let email = |tenant: &str| Email {
        id: JobId::parse("mail-tenants").unwrap(),
        tenant: TenantId::parse(tenant).unwrap(),
        from: "Brigade <brigade@missive.test>".into(),
        to: "alice@example.com".into(),
        subject: "Nouveau message".into(),
        html: "<p>Bonjour</p>".into(),
        text: "Bonjour".into(),
        unsubscribe_url: None,
    };
    let tenant_arn = |name: String| {
        let ses = ses.clone();
        async move {
            ses.get_tenant()
                .tenant_name(name)
                .send()
                .await
                .map(|t| t.tenant().unwrap().tenant_arn().unwrap().to_string())
        }
    };
    assert!(tenant_arn(format!("{prefix}-acme")).await.is_err(), "no SES tenant before the first e-mail");

    mailer.send_email(&email("acme")).await.expect("the first e-mail makes the SES tenant, then goes");
    mailer.send_email(&email("acme")).await.expect("the next ones go at once");
    let acme = tenant_arn(format!("{prefix}-acme")).await.expect("the SES tenant {prefix}-acme");

    // SES pauses acme's sending (as its reputation policy does, or an operator).
    let status = |status: SendingStatus| {
        ses.update_reputation_entity_customer_managed_status()
            .reputation_entity_type(ReputationEntityType::Resource)
            .reputation_entity_reference(&acme)
            .sending_status(status)
            .send()
    };
    status(SendingStatus::Disabled).await.unwrap();
    let paused = mailer.send_email(&email("acme")).await;
    assert!(matches!(paused, Err(MailError::Paused(_))), "{paused:?}");
    mailer.send_email(&email("brigade-sud")).await.expect("another tenant sends meanwhile");
    assert!(tenant_arn(format!("{prefix}-brigade-sud")).await.is_ok());

    status(SendingStatus::Reinstated).await.unwrap();
    mailer.send_email(&email("acme")).await.expect("reinstated, acme sends again");
}
