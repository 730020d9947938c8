//! The server under test: the real `missive-local` binary, on a free loopback port with its
//! own data directory, and what can be read of it from outside (memory, bytes on disk).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context};
use missive::auth::{mint_platform_token, Claims};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const JWT_SECRET: &str = "missive-bench-secret-0123456789";
pub const PLATFORM_KEY: &str = "missive-bench-platform-key";
pub const TENANT: &str = "bench";

pub struct Server {
    child: Child,
    pub base: String,
    pub data_dir: tempfile::TempDir,
    http: reqwest::Client,
}

impl Server {
    /// Starts `binary` and waits for "Missive listening on …". Rate limits are lifted so
    /// that the load itself is measured; everything else is as configured by default.
    pub async fn start(binary: &Path) -> anyhow::Result<Server> {
        let data_dir = tempfile::tempdir()?;
        let mut child = Command::new(binary)
            .args(["--port", "0", "--no-demo", "--data-dir"])
            .arg(data_dir.path())
            .env("MISSIVE_JWT_SECRET", JWT_SECRET)
            .env("MISSIVE_PLATFORM_KEY", PLATFORM_KEY)
            .env("MISSIVE_MAX_FRAMES_PER_10S", "100000000")
            // The tenant's quotas lifted too: the cases measure the message path, not the quota.
            .env("MISSIVE_QUOTA_MESSAGES_PER_MINUTE", "100000000")
            .env("MISSIVE_QUOTA_CONNECTIONS", "100000000")
            .env("RUST_LOG", std::env::var("MISSIVE_BENCH_LOG").unwrap_or_else(|_| "error".into()))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let mut lines = BufReader::new(child.stdout.take().context("no stdout")?).lines();
        let base = loop {
            let Some(line) = lines.next_line().await? else { bail!("the server exited before listening") };
            if let Some(base) = line.strip_prefix("Missive listening on ") {
                break base.trim().to_string();
            }
        };
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let server = Server { child, base, data_dir, http: reqwest::Client::new() };
        server.admin("POST", "/v1/admin/tenants", serde_json::json!({ "id": TENANT, "name": "Bench" })).await?;
        Ok(server)
    }

    pub fn ws_url(&self, token: &str) -> String {
        format!("{}/ws?token={token}", self.base.replacen("http", "ws", 1))
    }

    async fn admin(&self, method: &str, path: &str, body: serde_json::Value) -> anyhow::Result<serde_json::Value> {
        self.request(method, path, PLATFORM_KEY, body).await
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        bearer: &str,
        body: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        let response = self
            .http
            .request(method.parse()?, format!("{}{path}", self.base))
            .bearer_auth(bearer)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await?;
        if !status.is_success() {
            bail!("{method} {path}: {status} {body}");
        }
        Ok(body)
    }

    /// Creates users ahead of time, as a platform's backend would.
    pub async fn create_users(&self, users: &[String]) -> anyhow::Result<()> {
        for user in users {
            let body = serde_json::json!({ "tenantId": TENANT, "name": user });
            self.admin("PUT", &format!("/v1/admin/users/{user}"), body).await?;
        }
        Ok(())
    }

    /// The server process's resident memory, in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the server has exited")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
        Ok(line.split_whitespace().nth(1).context("no value")?.parse()?)
    }

    /// Bytes under the data directory.
    pub fn stored_bytes(&self) -> anyhow::Result<u64> {
        dir_size(self.data_dir.path())
    }
}

fn dir_size(dir: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { dir_size(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

/// A platform token for a user of the bench tenant, valid for a day.
pub fn token(user: &str) -> String {
    let claims = Claims {
        sub: user.into(),
        tid: TENANT.into(),
        role: Some("member".into()),
        name: Some(user.into()),
        email: None,
        locale: None,
        exp: chrono::Utc::now().timestamp() + 86_400,
        nbf: None,
        iss: None,
        aud: None,
        cid: None,
    };
    mint_platform_token(JWT_SECRET.as_bytes(), &claims).expect("tokens sign")
}

/// `missive-local` beside this binary (both built by `cargo build --release`).
pub fn default_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.with_file_name("missive-local")
}
