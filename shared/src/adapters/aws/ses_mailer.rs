//! The mailer on SES (API v2, `SendEmail` with an HTML and a text part).

use async_trait::async_trait;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use aws_sdk_sesv2::Client;

use crate::ports::{Email, MailError, Mailer};

pub struct SesMailer {
    client: Client,
    /// The configuration set every e-mail is sent with (template.yaml's: bounces and
    /// complaints suppress the address, and its events become metrics).
    configuration_set: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        Self { client, configuration_set: None }
    }

    /// The mailer as every process that sends through SES wires it: the client from `sdk`, and
    /// the configuration set every e-mail is sent with, if any.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, configuration_set: Option<String>) -> Self {
        Self::new(Client::new(sdk)).with_configuration_set(configuration_set)
    }

    pub fn with_configuration_set(mut self, name: Option<String>) -> Self {
        self.configuration_set = name;
        self
    }
}

fn content(data: &str) -> Result<Content, MailError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| MailError::Failed(e.into()))
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send_email(&self, email: &Email) -> Result<String, MailError> {
        let mut message = Message::builder()
            .subject(content(&Email::header_safe(&email.subject))?)
            .body(Body::builder().html(content(&email.html)?).text(content(&email.text)?).build());
        if let Some(url) = &email.unsubscribe_url {
            let header = |name: &str, value: String| {
                MessageHeader::builder().name(name).value(value).build().map_err(|e| MailError::Failed(e.into()))
            };
            message = message
                .headers(header("List-Unsubscribe", format!("<{}>", Email::header_safe(url)))?)
                .headers(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into())?);
        }
        let result = self
            .client
            .send_email()
            .from_email_address(Email::header_safe(&email.from))
            .destination(Destination::builder().to_addresses(Email::header_safe(&email.to)).build())
            .content(EmailContent::builder().simple(message.build()).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.message_id().unwrap_or_default().to_string()),
            Err(e) => match e.as_service_error() {
                Some(SendEmailError::MessageRejected(r)) => {
                    Err(MailError::Rejected(r.message().unwrap_or("rejected").into()))
                }
                Some(SendEmailError::BadRequestException(r)) => {
                    Err(MailError::Rejected(r.message().unwrap_or("bad request").into()))
                }
                _ => Err(MailError::Failed(e.into())),
            },
        }
    }
}
