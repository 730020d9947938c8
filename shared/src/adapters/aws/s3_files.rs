//! Attachments' bytes in one private S3 bucket. The browser uploads with a presigned POST
//! (Signature Version 4 over a policy that binds the key, the declared type, the size range
//! and the expiry; the SDK presigns requests but not POST policies, so the policy is signed
//! here); downloads are presigned GETs that set the response's type and disposition.

use std::time::Duration;

use async_trait::async_trait;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use base64::Engine;
use chrono::{DateTime, Utc};

use crate::adapters::signing::{hex, hmac_sha256};
use crate::domain::TenantId;
use crate::ports::{Disposition, FileError, FileKey, FileStore, Peek, UploadForm, UploadGrant};

pub struct S3Files {
    client: aws_sdk_s3::Client,
    /// Signs the links browsers follow: the same as `client` on AWS; addressed to the public
    /// endpoint where browsers reach the store elsewhere than the functions do.
    presigner: aws_sdk_s3::Client,
    credentials: SharedCredentialsProvider,
    bucket: String,
    region: String,
    /// Where the browser posts: the bucket's virtual-hosted address on AWS, or
    /// `{endpoint}/{bucket}` on an S3-compatible store reached at an endpoint of its own.
    post_url: String,
}

fn failed(e: impl Into<anyhow::Error>) -> FileError {
    FileError::Failed(e.into())
}

impl S3Files {
    /// The bucket's files, with the SDK configuration's credentials and region. Where the
    /// configuration names an endpoint (an emulator's), the bucket is addressed by path, and
    /// browsers reach it at `public_endpoint` when given (the functions' endpoint may be one
    /// only they reach), else at that endpoint.
    pub fn from_sdk(
        sdk: &aws_config::SdkConfig,
        bucket: impl Into<String>,
        public_endpoint: Option<&str>,
    ) -> Result<Self, FileError> {
        let bucket = bucket.into();
        let region = sdk.region().map(|r| r.to_string());
        let region = region.ok_or_else(|| failed(anyhow::anyhow!("no AWS region is configured")))?;
        let credentials = sdk.credentials_provider();
        let credentials = credentials.ok_or_else(|| failed(anyhow::anyhow!("no AWS credentials are configured")))?;
        let path_style = sdk.endpoint_url().is_some() || public_endpoint.is_some();
        let config = aws_sdk_s3::config::Builder::from(sdk).force_path_style(path_style);
        let client = aws_sdk_s3::Client::from_conf(config.clone().build());
        let (presigner, post_url) = match public_endpoint.or(sdk.endpoint_url()) {
            Some(endpoint) => {
                let endpoint = endpoint.trim_end_matches('/');
                let presigner = aws_sdk_s3::Client::from_conf(config.endpoint_url(endpoint).build());
                (presigner, format!("{endpoint}/{bucket}"))
            }
            None => (client.clone(), format!("https://{bucket}.s3.{region}.amazonaws.com")),
        };
        Ok(Self { client, presigner, credentials, bucket, region, post_url })
    }

    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }
}

/// Signature Version 4's signing key for S3 on `date` (`yyyymmdd`).
fn signing_key(secret: &str, date: &str, region: &str) -> Vec<u8> {
    let k = hmac_sha256(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k = hmac_sha256(&k, region.as_bytes());
    let k = hmac_sha256(&k, b"s3");
    hmac_sha256(&k, b"aws4_request")
}

impl S3Files {
    /// Deletes stored objects by key; DeleteObjects takes up to 1,000 keys a call, and a key
    /// with nothing stored is not an error.
    async fn delete_keys(&self, keys: &[&str]) -> Result<(), FileError> {
        for chunk in keys.chunks(1000) {
            let objects = chunk
                .iter()
                .map(|k| ObjectIdentifier::builder().key(*k).build().map_err(failed))
                .collect::<Result<Vec<_>, _>>()?;
            let delete = Delete::builder().set_objects(Some(objects)).quiet(true).build().map_err(failed)?;
            let deleted = self.client.delete_objects().bucket(&self.bucket).delete(delete).send().await;
            let deleted = deleted.map_err(failed)?;
            if let Some(error) = deleted.errors().first() {
                return Err(failed(anyhow::anyhow!("deleting {:?}: {:?}", error.key(), error.code())));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl FileStore for S3Files {
    async fn upload_form(&self, key: &FileKey, grant: &UploadGrant) -> Result<UploadForm, FileError> {
        let credentials = self.credentials.provide_credentials().await.map_err(failed)?;
        let now = Utc::now();
        let date = now.format("%Y%m%d").to_string();
        let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
        let credential = format!("{}/{date}/{}/s3/aws4_request", credentials.access_key_id(), self.region);
        let mut fields = vec![
            ("key".to_string(), key.as_str().to_string()),
            ("Content-Type".to_string(), grant.content_type.clone()),
            ("x-amz-algorithm".to_string(), "AWS4-HMAC-SHA256".to_string()),
            ("x-amz-credential".to_string(), credential),
            ("x-amz-date".to_string(), amz_date),
        ];
        if let Some(token) = credentials.session_token() {
            fields.push(("x-amz-security-token".to_string(), token.to_string()));
        }
        let mut conditions = vec![
            serde_json::json!({ "bucket": self.bucket }),
            serde_json::json!(["content-length-range", 1, grant.max_bytes]),
        ];
        conditions.extend(fields.iter().map(|(name, value)| serde_json::json!({ name: value })));
        let policy = serde_json::json!({
            "expiration": grant.expires_at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "conditions": conditions,
        });
        let policy = base64::engine::general_purpose::STANDARD.encode(policy.to_string());
        let signature =
            hex(&hmac_sha256(&signing_key(credentials.secret_access_key(), &date, &self.region), policy.as_bytes()));
        fields.push(("policy".to_string(), policy));
        fields.push(("x-amz-signature".to_string(), signature));
        Ok(UploadForm { url: self.post_url.clone(), fields })
    }

    /// A ranged GET: S3 answers the total size in `Content-Range` (`bytes 0-511/48213`). An
    /// empty object has no range to answer (416); its size is 0.
    async fn peek(&self, key: &FileKey, n: usize) -> Result<Option<Peek>, FileError> {
        let range = format!("bytes=0-{}", n.saturating_sub(1));
        let object = self.client.get_object().bucket(&self.bucket).key(key.as_str()).range(range).send().await;
        let object = match object {
            Ok(object) => object,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 416) => {
                return Ok(Some(Peek { size: 0, first_bytes: Vec::new() }));
            }
            Err(e) => return Err(failed(e)),
        };
        let size = match object.content_range() {
            Some(range) => range.rsplit('/').next().and_then(|total| total.parse().ok()),
            None => object.content_length().map(|length| length.max(0) as u64),
        };
        let size = size.ok_or_else(|| failed(anyhow::anyhow!("S3 answered a range without the object's size")))?;
        let mut first_bytes = object.body.collect().await.map_err(failed)?.to_vec();
        first_bytes.truncate(n);
        Ok(Some(Peek { size, first_bytes }))
    }

    async fn read(&self, key: &FileKey, max_bytes: u64) -> Result<Vec<u8>, FileError> {
        let object = self.client.get_object().bucket(&self.bucket).key(key.as_str()).send().await;
        let object = object.map_err(failed)?;
        if object.content_length().unwrap_or_default().max(0) as u64 > max_bytes {
            return Err(FileError::TooLarge(max_bytes));
        }
        Ok(object.body.collect().await.map_err(failed)?.to_vec())
    }

    async fn write(&self, key: &FileKey, bytes: Vec<u8>, content_type: &str) -> Result<(), FileError> {
        let put = self.client.put_object().bucket(&self.bucket).key(key.as_str()).content_type(content_type);
        put.body(ByteStream::from(bytes)).send().await.map_err(failed)?;
        Ok(())
    }

    async fn write_file(&self, key: &FileKey, path: &std::path::Path, content_type: &str) -> Result<(), FileError> {
        let body = ByteStream::from_path(path).await.map_err(failed)?;
        let put = self.client.put_object().bucket(&self.bucket).key(key.as_str()).content_type(content_type);
        put.body(body).send().await.map_err(failed)?;
        Ok(())
    }

    async fn download_url(
        &self,
        key: &FileKey,
        content_type: &str,
        disposition: &Disposition,
        expires_at: DateTime<Utc>,
    ) -> Result<String, FileError> {
        let valid = (expires_at - Utc::now()).to_std().unwrap_or(Duration::from_secs(1));
        let presigning = PresigningConfig::expires_in(valid).map_err(failed)?;
        let get = self.presigner.get_object().bucket(&self.bucket).key(key.as_str());
        let request = get
            .response_content_type(content_type)
            .response_content_disposition(disposition.header())
            .presigned(presigning)
            .await
            .map_err(failed)?;
        Ok(request.uri().to_string())
    }

    async fn delete(&self, keys: &[FileKey]) -> Result<(), FileError> {
        self.delete_keys(&keys.iter().map(FileKey::as_str).collect::<Vec<_>>()).await
    }
    async fn delete_tenant_files(&self, tenant: &TenantId, limit: usize) -> Result<u64, FileError> {
        // Listed a page (1,000 keys) at a time, each page deleted before the next is read.
        let mut count = 0;
        while count < limit as u64 {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(format!("{tenant}/"))
                .send()
                .await
                .map_err(failed)?;
            let keys: Vec<&str> = page.contents().iter().filter_map(|o| o.key()).collect();
            if keys.is_empty() {
                break;
            }
            count += keys.len() as u64;
            self.delete_keys(&keys).await?;
        }
        Ok(count)
    }
}
