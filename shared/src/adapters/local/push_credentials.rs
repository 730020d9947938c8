//! Tenants' push credentials on the local runtime: one JSON file per tenant in the data
//! directory (`push-credentials/{tenant}.json`), readable by its owner only — the local
//! counterpart of a Secrets Manager secret.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use anyhow::Context;
use async_trait::async_trait;

use crate::domain::{PushCredentials, TenantId};
use crate::ports::PushCredentialStore;

pub struct LocalPushCredentials {
    dir: PathBuf,
}

impl LocalPushCredentials {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    fn path(&self, tenant: &TenantId) -> PathBuf {
        self.dir.join(format!("{tenant}.json"))
    }
}

#[async_trait]
impl PushCredentialStore for LocalPushCredentials {
    async fn get_push_credentials(&self, tenant: &TenantId) -> Result<Option<PushCredentials>, anyhow::Error> {
        let path = self.path(tenant);
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).with_context(|| format!("reading {}", path.display()))?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
        }
    }

    async fn put_push_credentials(
        &self,
        tenant: &TenantId,
        credentials: &PushCredentials,
    ) -> Result<(), anyhow::Error> {
        let (dir, path) = (self.dir.clone(), self.path(tenant));
        let json = serde_json::to_vec(credentials)?;
        tokio::task::spawn_blocking(move || -> Result<(), anyhow::Error> {
            std::fs::create_dir_all(&dir)?;
            // Written aside then renamed: a reader sees the old credentials or the new, whole.
            let temporary = path.with_extension("json.new");
            let mut file =
                std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&temporary)?;
            file.write_all(&json)?;
            file.sync_all()?;
            std::fs::rename(&temporary, &path)?;
            Ok(())
        })
        .await?
        .with_context(|| format!("writing {}'s push credentials", tenant))
    }

    async fn delete_push_credentials(&self, tenant: &TenantId) -> Result<(), anyhow::Error> {
        match tokio::fs::remove_file(self.path(tenant)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(anyhow::Error::new(e).context(format!("deleting {tenant}'s push credentials"))),
        }
    }
}
