//! The Lambda functions' composition root: each function's `main` builds its application
//! once per cold start from the environment, wiring only the ports it uses. Configuration
//! is read first and fails fast, naming the missing variable; a port a function does not
//! wire answers every call with an error that says so (and IAM grants it nothing anyway).

use std::collections::HashMap;
use std::sync::Arc;

use crate::adapters::aws::settings::AwsSettings;
use crate::adapters::dynamo::DynamoStore;
use crate::adapters::unwired::Unwired;
use crate::app::App;
use crate::config::{Config, ConfigError};
use crate::metrics::Metrics;
use crate::ports::{FileStore, JobQueue, Mailer, Push};

/// A Lambda function's application being wired.
pub struct LambdaApp {
    config: Config,
    settings: AwsSettings,
    sdk: aws_config::SdkConfig,
    /// Counts as CloudWatch embedded metrics, under the stack's name (MISSIVE_STACK_NAME).
    metrics: Metrics,
    push: Arc<dyn Push>,
    jobs: Arc<dyn JobQueue>,
    mailer: Arc<dyn Mailer>,
    files: Option<Arc<dyn FileStore>>,
    push_services: Option<Arc<dyn crate::ports::PushService>>,
    push_credentials: Option<Arc<dyn crate::ports::PushCredentialStore>>,
    webhook_sender: Option<Arc<dyn crate::ports::WebhookSender>>,
}

/// The secrets as configuration variables: from the Secrets Manager secret
/// `MISSIVE_SECRETS_ARN` names (the template gives it to the functions that verify or sign
/// tokens); from the environment when it holds them (an emulator's or a test's); and for a
/// function given none, values nobody knows — it verifies and signs no token, so a token it
/// was somehow asked to check is refused.
async fn secret_variables(_sdk: &aws_config::SdkConfig) -> Result<HashMap<&'static str, String>, ConfigError> {
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match set("MISSIVE_SECRETS_ARN") {
        #[cfg(feature = "secrets")]
        Some(secret_id) => crate::adapters::aws::secrets::read(_sdk, &secret_id).await,
        #[cfg(not(feature = "secrets"))]
        Some(_) => Err(ConfigError::Invalid("MISSIVE_SECRETS_ARN", "this function is built without `secrets`".into())),
        None if set("MISSIVE_JWT_SECRET").is_some() => Ok(HashMap::new()),
        None => {
            let unknowable = || format!("{}{}", ulid::Ulid::new(), ulid::Ulid::new());
            Ok(HashMap::from([("MISSIVE_JWT_SECRET", unknowable()), ("MISSIVE_PLATFORM_KEY", unknowable())]))
        }
    }
}

impl LambdaApp {
    /// The configuration, the AWS settings and the SDK; the store is always DynamoDB.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let sdk = crate::adapters::aws::sdk_config().await;
        let secrets = secret_variables(&sdk).await?;
        let config = Config::from_lookup(|name| secrets.get(name).cloned().or_else(|| std::env::var(name).ok()))?;
        let settings = AwsSettings::from_env()?;
        let unwired = Arc::new(Unwired);
        let metrics = Metrics::stdout(settings.stack_name.clone());
        Ok(Self {
            config,
            settings,
            sdk,
            metrics,
            push: unwired.clone(),
            jobs: unwired.clone(),
            mailer: unwired,
            files: None,
            push_services: None,
            push_credentials: None,
            webhook_sender: None,
        })
    }

    /// Pushes to WebSocket connections (`MISSIVE_WS_ENDPOINT`).
    #[cfg(feature = "apigw")]
    pub fn with_push(mut self) -> Result<Self, ConfigError> {
        let endpoint = self.settings.require_ws_endpoint()?;
        self.push =
            Arc::new(crate::adapters::aws::apigw_push::ApiGatewayPush::new(&self.sdk, endpoint, self.metrics.clone()));
        Ok(self)
    }

    /// Enqueues jobs (`MISSIVE_FANOUT_QUEUE_URL`, `MISSIVE_NOTIFICATIONS_QUEUE_URL`,
    /// `MISSIVE_EMAILS_QUEUE_URL`).
    #[cfg(feature = "sqs")]
    pub fn with_jobs(mut self) -> Result<Self, ConfigError> {
        let urls = self.settings.require_queue_urls()?;
        self.jobs =
            Arc::new(crate::adapters::aws::sqs_queue::SqsQueue::from_sdk(&self.sdk, urls, self.metrics.clone()));
        Ok(self)
    }

    /// Sends e-mails through SES, with links to `MISSIVE_PUBLIC_URL` from `MISSIVE_EMAIL_FROM`.
    #[cfg(feature = "ses")]
    pub fn with_mailer(mut self) -> Result<Self, ConfigError> {
        self.config.require_email_settings()?;
        let (configuration_set, prefix) =
            (self.settings.ses_configuration_set.clone(), self.settings.ses_tenant_prefix.clone());
        self.mailer =
            Arc::new(crate::adapters::aws::ses_mailer::SesMailer::from_sdk(&self.sdk, configuration_set, prefix));
        Ok(self)
    }

    /// Keeps attachments in S3 (`MISSIVE_FILES_BUCKET`; `MISSIVE_FILES_PUBLIC_ENDPOINT` only
    /// off AWS).
    #[cfg(feature = "s3")]
    pub fn with_files(mut self) -> Result<Self, ConfigError> {
        use crate::adapters::aws::s3_files::S3Files;
        let bucket = self.settings.require_files_bucket()?;
        let public_endpoint = self.settings.files_public_endpoint.as_deref();
        let files = S3Files::from_sdk(&self.sdk, bucket, public_endpoint)
            .map_err(|e| ConfigError::Invalid("MISSIVE_FILES_BUCKET", e.to_string()))?;
        self.files = Some(Arc::new(files));
        Ok(self)
    }

    /// Tenants' FCM and APNs credentials, in Secrets Manager (`{MISSIVE_STACK_NAME}/push/{tenant}`).
    #[cfg(feature = "secrets")]
    pub fn with_push_credentials(mut self) -> Self {
        use crate::adapters::aws::push_credentials::SecretsManagerPushCredentials;
        let store = SecretsManagerPushCredentials::from_sdk(&self.sdk, &self.settings.stack_name);
        self.push_credentials = Some(Arc::new(store));
        self
    }

    /// Pushes notifications to devices: browsers with the stack's VAPID key
    /// (`MISSIVE_VAPID_PRIVATE_KEY`, from the secret, or derived from the JWT secret), phones
    /// with their tenant's credentials (`with_push_credentials`, wired before).
    #[cfg(feature = "webpush")]
    pub fn with_push_services(mut self) -> Result<Self, ConfigError> {
        use crate::adapters::push::PushServices;
        let credentials = self.push_credentials.clone().unwrap_or_else(|| Arc::new(Unwired));
        let services = PushServices::new(&self.config, credentials)
            .map_err(|e| ConfigError::Invalid("push services", format!("{e:#}")))?;
        self.push_services = Some(Arc::new(services));
        Ok(self)
    }

    /// Delivers webhooks (https only: no address in a private range, after resolution).
    #[cfg(feature = "webhooks")]
    pub fn with_webhook_sender(mut self) -> Result<Self, ConfigError> {
        let sender = crate::adapters::webhooks::HttpWebhooks::new(
            self.config.webhooks_loopback_allowed,
            self.config.webhook_timeout,
        )
        .map_err(|e| ConfigError::Invalid("webhooks", format!("{e:#}")))?;
        self.webhook_sender = Some(Arc::new(sender));
        Ok(self)
    }

    /// The configuration read (its secrets from the stack's secret): for a function that signs
    /// tokens itself rather than serving requests (the synthetic canary).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The stack's embedded metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn build(self) -> Arc<App> {
        let store = DynamoStore::from_sdk(&self.sdk, &self.settings.table, self.metrics.clone());
        let app = App::new(self.config, Arc::new(store), self.push, self.jobs, self.mailer).with_metrics(self.metrics);
        let app = match self.files {
            Some(files) => app.with_files(files),
            None => app,
        };
        let app = match self.push_credentials {
            Some(credentials) => app.with_push_credentials(credentials),
            None => app,
        };
        let app = match self.webhook_sender {
            Some(sender) => app.with_webhook_sender(sender),
            None => app,
        };
        Arc::new(match self.push_services {
            Some(services) => app.with_push_services(services),
            None => app,
        })
    }
}
