//! The mailer on SES (API v2, `SendEmail` with an HTML and a text part).
//!
//! With a tenant prefix (template.yaml sets the stack's name), every Missive tenant sends as its
//! own SES tenant, `{prefix}-{tenant}`: SES keeps each one's bounce and complaint reputation
//! apart and pauses only the tenant whose reputation fails, not the account. The SES tenant is
//! made the first time SES answers that it does not know it (a tenant's first e-mail), with the
//! configuration set and the sender's identity associated, as SES requires before it sends.

use async_trait::async_trait;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::create_tenant::CreateTenantError;
use aws_sdk_sesv2::operation::create_tenant_resource_association::CreateTenantResourceAssociationError;
use aws_sdk_sesv2::operation::send_email::{SendEmailError, SendEmailOutput};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};
use aws_sdk_sesv2::Client;
use sha2::{Digest, Sha256};

use crate::domain::TenantId;
use crate::ports::{Email, MailError, Mailer};

/// SES's longest tenant name.
const MAX_TENANT_NAME: usize = 64;

pub struct SesMailer {
    client: Client,
    /// The configuration set every e-mail is sent with (template.yaml's: bounces and
    /// complaints suppress the address, and its events become metrics).
    configuration_set: Option<String>,
    /// What SES tenants are named after (`{prefix}-{tenant}`); none: the account's reputation
    /// is every tenant's.
    tenant_prefix: Option<String>,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        Self { client, configuration_set: None, tenant_prefix: None }
    }

    /// The mailer as every process that sends through SES wires it: the client from `sdk`, the
    /// configuration set every e-mail is sent with, and the prefix of SES tenants, if any.
    pub fn from_sdk(
        sdk: &aws_config::SdkConfig,
        configuration_set: Option<String>,
        tenant_prefix: Option<String>,
    ) -> Self {
        Self::new(Client::new(sdk)).with_configuration_set(configuration_set).with_tenant_prefix(tenant_prefix)
    }

    pub fn with_configuration_set(mut self, name: Option<String>) -> Self {
        self.configuration_set = name;
        self
    }

    pub fn with_tenant_prefix(mut self, prefix: Option<String>) -> Self {
        self.tenant_prefix = prefix;
        self
    }

    /// The SES tenant `tenant` sends as: `{prefix}-{tenant}`, or, past SES's 64 characters, as
    /// much of it as fits before a hash of the whole (two stacks sharing an account, or two long
    /// tenant ids, never share one).
    pub fn ses_tenant_name(prefix: &str, tenant: &TenantId) -> String {
        let name = format!("{prefix}-{tenant}");
        if name.len() <= MAX_TENANT_NAME {
            return name;
        }
        let hash = Sha256::digest(name.as_bytes());
        let suffix: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
        // Prefixes and tenant ids are ASCII (letters, digits, '-', '_'): any cut is a boundary.
        format!("{}-{suffix}", &name[..MAX_TENANT_NAME - suffix.len() - 1])
    }

    async fn send(
        &self,
        email: &Email,
        content: &EmailContent,
        tenant_name: Option<&str>,
    ) -> Result<SendEmailOutput, SdkError<SendEmailError>> {
        self.client
            .send_email()
            .from_email_address(Email::header_safe(&email.from))
            .destination(Destination::builder().to_addresses(Email::header_safe(&email.to)).build())
            .content(content.clone())
            .set_configuration_set_name(self.configuration_set.clone())
            .set_tenant_name(tenant_name.map(str::to_string))
            .send()
            .await
    }

    /// Makes the SES tenant `name` able to send `email`: the tenant, then its configuration
    /// set and the sender's identity (its domain's, else its address's) associated. Each step
    /// that was already done is taken as done, so two workers making one tenant both succeed.
    async fn make_tenant(&self, name: &str, email: &Email) -> Result<(), MailError> {
        let failed = |what: &str, e: &dyn std::error::Error| {
            MailError::Failed(anyhow::anyhow!(
                "{what} of SES tenant {name}: {}",
                aws_sdk_sesv2::error::DisplayErrorContext(e)
            ))
        };
        let arn = match self.client.create_tenant().tenant_name(name).send().await {
            Ok(created) => created.tenant_arn().map(str::to_string),
            Err(e) if matches!(e.as_service_error(), Some(CreateTenantError::AlreadyExistsException(_))) => None,
            Err(e) => return Err(failed("creating", &e)),
        };
        let arn = match arn {
            Some(arn) => arn,
            None => {
                let got = self.client.get_tenant().tenant_name(name).send().await.map_err(|e| failed("reading", &e))?;
                got.tenant().and_then(|t| t.tenant_arn()).map(str::to_string).unwrap_or_default()
            }
        };
        // `arn:aws:ses:{region}:{account}:tenant/{name}/{id}`: the account's SES resources
        // share its first five parts.
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let [partition, service, region, account] =
            [parts.get(1), parts.get(2), parts.get(3), parts.get(4)].map(|p| p.copied().unwrap_or_default());
        if service != "ses" || account.is_empty() {
            return Err(MailError::Failed(anyhow::anyhow!("SES tenant {name} has no usable ARN: {arn:?}")));
        }
        let resource = |kind: &str, id: &str| format!("arn:{partition}:ses:{region}:{account}:{kind}/{id}");
        let associate = |resource_arn: String| async move {
            let result = self
                .client
                .create_tenant_resource_association()
                .tenant_name(name)
                .resource_arn(&resource_arn)
                .send()
                .await;
            match result {
                Ok(_) => Ok(true),
                Err(e) => match e.as_service_error() {
                    Some(CreateTenantResourceAssociationError::AlreadyExistsException(_)) => Ok(true),
                    Some(CreateTenantResourceAssociationError::NotFoundException(_)) => Ok(false),
                    _ => Err(failed("associating a resource", &e)),
                },
            }
        };
        if let Some(set) = &self.configuration_set {
            if !associate(resource("configuration-set", set)).await? {
                return Err(MailError::Failed(anyhow::anyhow!("no SES configuration set {set}")));
            }
        }
        let address = Email::address_of(&email.from);
        let domain = address.rsplit_once('@').map(|(_, domain)| domain).unwrap_or(address);
        if !associate(resource("identity", domain)).await? && !associate(resource("identity", address)).await? {
            return Err(MailError::Rejected(format!("no SES identity for {domain} or {address}")));
        }
        tracing::info!(ses_tenant = name, tenant = %email.tenant, "SES tenant made");
        Ok(())
    }
}

fn content(data: &str) -> Result<Content, MailError> {
    Content::builder().data(data).charset("UTF-8").build().map_err(|e| MailError::Failed(e.into()))
}

/// Whether SES refused a send for its tenant being unknown or lacking a resource it sends with:
/// `NotFoundException`, or a `BadRequestException` naming the tenant (as SES's API reference
/// reads; tests/faults/ses_tenants.py answers so, SES itself is yet to confirm it).
fn tenant_not_ready(e: &SdkError<SendEmailError>) -> bool {
    match e.as_service_error() {
        Some(SendEmailError::NotFoundException(_)) => true,
        Some(SendEmailError::BadRequestException(r)) => {
            r.message().is_some_and(|m| m.to_ascii_lowercase().contains("tenant"))
        }
        _ => false,
    }
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
        let content = EmailContent::builder().simple(message.build()).build();
        let tenant_name = self.tenant_prefix.as_deref().map(|prefix| Self::ses_tenant_name(prefix, &email.tenant));
        let mut result = self.send(email, &content, tenant_name.as_deref()).await;
        if let (Some(name), Err(e)) = (&tenant_name, &result) {
            if tenant_not_ready(e) {
                self.make_tenant(name, email).await?;
                result = self.send(email, &content, Some(name)).await;
            }
        }
        match result {
            Ok(out) => Ok(out.message_id().unwrap_or_default().to_string()),
            Err(e) => match e.as_service_error() {
                Some(SendEmailError::MessageRejected(r)) => {
                    Err(MailError::Rejected(r.message().unwrap_or("rejected").into()))
                }
                Some(SendEmailError::BadRequestException(r)) => {
                    Err(MailError::Rejected(r.message().unwrap_or("bad request").into()))
                }
                Some(SendEmailError::SendingPausedException(r)) => {
                    Err(MailError::Paused(r.message().unwrap_or("sending paused").into()))
                }
                _ => Err(MailError::Failed(e.into())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ses_tenant_is_named_after_the_stack_and_the_tenant_within_64_characters() {
        let acme = TenantId::parse("acme").unwrap();
        assert_eq!(SesMailer::ses_tenant_name("missive-prod", &acme), "missive-prod-acme");
        let long = TenantId::parse("a".repeat(64)).unwrap();
        let other = TenantId::parse(format!("{}b", "a".repeat(63))).unwrap();
        let (one, two) =
            (SesMailer::ses_tenant_name("missive-prod", &long), SesMailer::ses_tenant_name("missive-prod", &other));
        assert_eq!((one.len(), two.len()), (64, 64));
        assert!(one.starts_with("missive-prod-aaa") && one != two, "{one} {two}");
        assert!(one.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}
