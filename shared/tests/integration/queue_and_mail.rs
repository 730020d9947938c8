//! The SQS job queue and the SES mailer against moto: real SDK requests, real answers.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use missive::adapters::ses_mailer::SesMailer;
use missive::adapters::sqs_queue::SqsQueue;
use missive::ports::{Email, Job, JobQueue, MailError, Mailer, QueueName};
use serde_json::json;

fn job(id: &str) -> Job {
    Job { id: id.into(), tenant_id: missive::domain::TenantId::parse("acme").unwrap(), kind: "sendEmail".into(), payload: json!({ "to": "alice" }) }
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
    let urls: HashMap<QueueName, String> = missive::adapters::aws::create_queues(&sdk, &prefix).await.unwrap();
    assert_eq!(urls.len(), 2);
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
    queue.send(QueueName::Emails, &job("now"), None).await.unwrap();
    queue.send(QueueName::Emails, &job("later"), Some(Duration::from_secs(2))).await.unwrap();
    let first = receive_all(&client, &urls[&QueueName::Emails]).await;
    assert_eq!(first, vec![job("now")], "the delayed job is not visible yet");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(receive_all(&client, &urls[&QueueName::Emails]).await, vec![job("later")]);

    let jobs: Vec<Job> = (0..23).map(|i| job(&format!("j{i}"))).collect();
    queue.send_batch(QueueName::Notifications, &jobs).await.unwrap();
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

    let too_long = queue.send(QueueName::Emails, &job("x"), Some(Duration::from_secs(901))).await;
    assert!(too_long.is_err());
}

#[tokio::test]
async fn emails_go_out_through_ses_with_both_parts_and_refusals_are_told_apart() {
    let sdk = crate::aws_support::sdk_config().await;
    let ses = aws_sdk_sesv2::Client::new(&sdk);
    ses.create_email_identity().email_identity("brigade@missive.test").send().await.unwrap();
    let mailer = SesMailer::new(ses);
    let email = Email {
        id: "mail-1".into(),
        from: "Brigade <brigade@missive.test>".into(),
        to: "alice@example.com".into(),
        subject: "Nouveau message\r\nBcc: victim@example.com".into(),
        html: "<p>Bonjour</p>".into(),
        text: "Bonjour".into(),
        unsubscribe_url: Some("https://missive.test/v1/email/unsubscribe?token=abc".into()),
    };
    // The display-name form is what tenants configure; moto verifies the bare address.
    let bare = Email { from: "brigade@missive.test".into(), ..email.clone() };
    let id = mailer.send(&bare).await.unwrap();
    assert!(!id.is_empty());

    let unverified = Email { from: "nobody@elsewhere.test".into(), ..email };
    assert!(matches!(mailer.send(&unverified).await, Err(MailError::Rejected(_))));
}

#[test]
fn header_values_cannot_carry_new_lines() {
    assert_eq!(Email::header_safe("Hello\r\nBcc: x@y.z"), "Hello  Bcc: x@y.z");
    assert_eq!(Email::header_safe("  Zoé\u{0}  "), "Zoé");
}
