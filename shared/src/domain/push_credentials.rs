//! A tenant's credentials for the phones' push services: a Firebase service account (FCM) and
//! an APNs signing key. Set by the platform operator, kept out of the data store (Secrets
//! Manager; locally the data directory), never shown again: what is shown is which are set.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

/// What `PUT /v1/admin/tenants/{id}/push-credentials` takes; a service left out has none.
#[derive(Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushCredentials {
    /// The service account's key file as the Firebase console downloads it.
    #[serde(default)]
    pub fcm: Option<FcmServiceAccount>,
    #[serde(default)]
    pub apns: Option<ApnsKey>,
}

/// A Google service account key (JSON as downloaded; its other fields are ignored).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct FcmServiceAccount {
    /// `service_account`.
    #[serde(rename = "type")]
    pub kind: String,
    pub project_id: String,
    pub client_email: String,
    /// The account's RSA private key, PEM (PKCS#8).
    pub private_key: String,
    /// Where its access tokens are asked for.
    #[serde(default = "google_token_uri")]
    pub token_uri: String,
}

fn google_token_uri() -> String {
    "https://oauth2.googleapis.com/token".into()
}

/// An APNs authentication key (token-based): the `.p8` file Apple's developer site gives once.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApnsKey {
    pub team_id: String,
    pub key_id: String,
    /// The `.p8` file's contents: a P-256 private key, PEM (PKCS#8).
    pub private_key: String,
    /// The app's bundle id: every push's `apns-topic`.
    pub bundle_id: String,
    #[serde(default)]
    pub environment: ApnsEnvironment,
}

/// Which APNs a key's pushes go to: the App Store's apps' or development builds'.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ApnsEnvironment {
    #[default]
    Production,
    Sandbox,
}

/// What is shown of a tenant's credentials: which are set, never a key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushCredentialsView {
    #[schema(required = true)]
    pub fcm: Option<FcmView>,
    #[schema(required = true)]
    pub apns: Option<ApnsView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FcmView {
    pub project_id: String,
    pub client_email: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApnsView {
    pub team_id: String,
    pub key_id: String,
    pub bundle_id: String,
    pub environment: ApnsEnvironment,
}

impl fmt::Debug for PushCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PushCredentials({:?})", self.view())
    }
}

impl PushCredentials {
    /// Checks each key as its service would take it; a 400 names the field otherwise.
    pub fn check(self) -> Result<Self, AppError> {
        if let Some(fcm) = &self.fcm {
            if fcm.kind != "service_account" {
                return Err(AppError::invalid("fcm.type: expected a service account's key (service_account)"));
            }
            let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
            if fcm.project_id.is_empty() || !fcm.project_id.chars().all(plain) {
                return Err(AppError::invalid("fcm.project_id: expected the Firebase project's id"));
            }
            if !fcm.client_email.contains('@') || fcm.client_email.chars().any(char::is_whitespace) {
                return Err(AppError::invalid("fcm.client_email: expected the service account's address"));
            }
            if jsonwebtoken::EncodingKey::from_rsa_pem(fcm.private_key.as_bytes()).is_err() {
                return Err(AppError::invalid("fcm.private_key: expected the account's RSA private key (PEM)"));
            }
            if !fcm.token_uri.starts_with("https://") {
                return Err(AppError::invalid("fcm.token_uri: expected an https URL"));
            }
        }
        if let Some(apns) = &self.apns {
            let id = |v: &str| v.len() == 10 && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !id(&apns.team_id) {
                return Err(AppError::invalid("apns.teamId: expected the 10-character team id"));
            }
            if !id(&apns.key_id) {
                return Err(AppError::invalid("apns.keyId: expected the 10-character key id"));
            }
            if jsonwebtoken::EncodingKey::from_ec_pem(apns.private_key.as_bytes()).is_err() {
                return Err(AppError::invalid("apns.privateKey: expected the .p8 file's P-256 key (PEM)"));
            }
            let bundle = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
            if apns.bundle_id.is_empty() || !apns.bundle_id.chars().all(bundle) {
                return Err(AppError::invalid("apns.bundleId: expected the app's bundle id"));
            }
        }
        Ok(self)
    }

    pub fn view(&self) -> PushCredentialsView {
        PushCredentialsView {
            fcm: self
                .fcm
                .as_ref()
                .map(|f| FcmView { project_id: f.project_id.clone(), client_email: f.client_email.clone() }),
            apns: self.apns.as_ref().map(|a| ApnsView {
                team_id: a.team_id.clone(),
                key_id: a.key_id.clone(),
                bundle_id: a.bundle_id.clone(),
                environment: a.environment,
            }),
        }
    }
}
