//! The local mailer: each e-mail becomes an `.eml` file (RFC 5322, multipart text + HTML)
//! in the outbox directory, which any mail client opens, and a line in `index.jsonl` that
//! the local runtime lists at `GET /local/outbox`. For trying failures, it can be told to
//! fail its next sends or every send.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Mutex;

use anyhow::Context;
use async_trait::async_trait;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use serde::{Deserialize, Serialize};

use crate::ports::{Email, MailError, Mailer};

/// The outbox directory, and the failures it was told to make.
pub struct Outbox {
    dir: PathBuf,
    /// Sends seen per e-mail id, failed ones included.
    attempts: Mutex<HashMap<String, u32>>,
    fail_next: AtomicU32,
    fail_always: AtomicBool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: String,
    pub file: String,
    pub to: String,
    pub subject: String,
    pub attempts: u32,
    pub sent_at: chrono::DateTime<chrono::Utc>,
}

impl Outbox {
    pub fn open(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self { dir, attempts: Mutex::default(), fail_next: AtomicU32::new(0), fail_always: AtomicBool::new(false) })
    }

    fn write(&self, email: &Email, attempts: u32) -> anyhow::Result<OutboxEntry> {
        let mailbox = |v: &str| v.parse::<Mailbox>().with_context(|| format!("not an address: {v:?}"));
        let mut builder = lettre::Message::builder()
            .from(mailbox(&email.from)?)
            .to(mailbox(&email.to)?)
            .subject(Email::header_safe(&email.subject));
        if let Some(url) = &email.unsubscribe_url {
            let header =
                |name: &'static str, value: String| HeaderValue::new(HeaderName::new_from_ascii_str(name), value);
            builder = builder
                .raw_header(header("List-Unsubscribe", format!("<{}>", Email::header_safe(url))))
                .raw_header(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()));
        }
        let message = builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.text.clone()))
                    .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(email.html.clone())),
            )
            .context("building the e-mail")?;
        let sent_at = chrono::Utc::now();
        let safe_id: String =
            email.id.as_str().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let file = format!("{}-{safe_id}.eml", sent_at.format("%Y%m%dT%H%M%S%.3f"));
        std::fs::write(self.dir.join(&file), message.formatted()).with_context(|| format!("writing {file}"))?;
        let entry = OutboxEntry {
            id: email.id.to_string(),
            file,
            to: email.to.clone(),
            subject: email.subject.clone(),
            attempts,
            sent_at,
        };
        let mut index = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("index.jsonl"))?;
        writeln!(index, "{}", serde_json::to_string(&entry)?)?;
        Ok(entry)
    }

    /// Makes the next `next` sends fail, and every send while `always`.
    pub fn set_failures(&self, next: u32, always: bool) {
        self.fail_next.store(next, Ordering::SeqCst);
        self.fail_always.store(always, Ordering::SeqCst);
    }

    /// The failures still to come: how many of the next sends fail, and whether all do.
    pub fn failures(&self) -> (u32, bool) {
        (self.fail_next.load(Ordering::SeqCst), self.fail_always.load(Ordering::SeqCst))
    }

    /// Every e-mail written, oldest first.
    pub fn list(&self) -> anyhow::Result<Vec<OutboxEntry>> {
        let index = match std::fs::read_to_string(self.dir.join("index.jsonl")) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        index.lines().filter(|l| !l.trim().is_empty()).map(|l| Ok(serde_json::from_str(l)?)).collect()
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send_email(&self, email: &Email) -> Result<String, MailError> {
        let attempts = {
            let mut seen = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
            let n = seen.entry(email.id.to_string()).or_default();
            *n += 1;
            *n
        };
        // An address no mail server would take is refused for good, as SES refuses it.
        for address in [&email.from, &email.to] {
            if address.parse::<Mailbox>().is_err() {
                return Err(MailError::Rejected(format!("not an address: {:?}", Email::header_safe(address))));
            }
        }
        let injected = self.fail_always.load(Ordering::SeqCst)
            || self.fail_next.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        if injected {
            tracing::warn!(email = %email.id, attempts, "outbox told to fail: e-mail not written");
            return Err(MailError::Failed(anyhow::anyhow!("the local outbox was told to fail")));
        }
        let entry = self.write(email, attempts).map_err(MailError::Failed)?;
        tracing::info!(email = %email.id, file = %entry.file, "e-mail written to the outbox");
        Ok(entry.file)
    }
}
