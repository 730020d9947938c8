//! Webhooks over HTTPS with reqwest: no redirect followed, 10 seconds at most, and every
//! address a host name resolves to checked as the connection is made — a name that resolves
//! to a private, loopback, link-local or metadata address is refused then, however it resolved
//! when the endpoint was saved (no time-of-check, time-of-use gap, DNS rebinding included).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::forbidden_address;
use crate::ports::{WebhookAnswer, WebhookRequest, WebhookSendError, WebhookSender};

pub struct HttpWebhooks {
    http: reqwest::Client,
    loopback_allowed: bool,
    /// How long a receiver has to answer (`Config::webhook_timeout`, 10 s).
    timeout: Duration,
}

impl HttpWebhooks {
    /// `loopback_allowed`: plain `http` to this machine (the local runtime's receivers) — never
    /// on AWS; `timeout`: how long a receiver has to answer.
    pub fn new(loopback_allowed: bool, timeout: Duration) -> Result<Self, anyhow::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(CheckedResolver { loopback_allowed }))
            .user_agent("Missive-Webhooks/1")
            .build()?;
        Ok(Self { http, loopback_allowed, timeout })
    }
}

/// Resolves as the system does, then keeps only the addresses a webhook may reach.
struct CheckedResolver {
    loopback_allowed: bool,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let loopback_allowed = self.loopback_allowed;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| reachable(a.ip(), loopback_allowed)).collect();
            if allowed.is_empty() {
                let refused = format!("{host} resolves only to addresses webhooks may not reach");
                return Err(Box::new(std::io::Error::new(std::io::ErrorKind::PermissionDenied, refused)) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

fn reachable(ip: std::net::IpAddr, loopback_allowed: bool) -> bool {
    !forbidden_address(ip) || (loopback_allowed && ip.is_loopback())
}

/// The most of an answer's body read: a verdict is a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

impl HttpWebhooks {
    /// Sends the request, within `timeout` when given (the client's otherwise).
    async fn send(
        &self,
        request: &WebhookRequest,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response, WebhookSendError> {
        // An address literal bypasses the resolver: checked here.
        let url = reqwest::Url::parse(&request.url).map_err(|e| WebhookSendError::Refused(e.to_string()))?;
        let host = url.host_str().ok_or_else(|| WebhookSendError::Refused("no host".into()))?;
        let literal = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().ok();
        if literal.is_some_and(|ip| !reachable(ip, self.loopback_allowed)) {
            return Err(WebhookSendError::Refused(format!("{host} may not be reached")));
        }
        let mut builder = self.http.post(url).body(request.body.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder.send().await.map_err(|e| failure(&e, timeout.unwrap_or(self.timeout)))
    }
}

/// Why a request got no answer: an address refused by the resolver, or no answer in time.
fn failure(e: &reqwest::Error, timeout: Duration) -> WebhookSendError {
    let refused = std::error::Error::source(e)
        .into_iter()
        .chain(std::iter::successors(std::error::Error::source(e), |s| s.source()))
        .any(|s| s.to_string().contains("webhooks may not reach"));
    if refused {
        WebhookSendError::Refused("the host resolves only to addresses webhooks may not reach".into())
    } else if e.is_timeout() {
        WebhookSendError::NoAnswer(format!("no answer within {} ms", timeout.as_millis()))
    } else {
        WebhookSendError::NoAnswer(e.to_string())
    }
}

#[async_trait]
impl WebhookSender for HttpWebhooks {
    async fn post(&self, request: &WebhookRequest) -> Result<u16, WebhookSendError> {
        Ok(self.send(request, None).await?.status().as_u16())
    }

    async fn ask(&self, request: &WebhookRequest, timeout: Duration) -> Result<WebhookAnswer, WebhookSendError> {
        let mut answer = self.send(request, Some(timeout)).await?;
        let status = answer.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| failure(&e, timeout))? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(WebhookSendError::NoAnswer(format!("an answer over {MAX_ANSWER_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(WebhookAnswer { status, body: String::from_utf8_lossy(&body).into_owned() })
    }
}
