//! Test support: the server under test on free ports with data of its own, an HTTP client and
//! a WebSocket client. `MISSIVE_TEST_BACKEND` picks the server: `embedded` (default: the real
//! `missive-local` binary on redb), `aws` (`missive-local` on DynamoDB and SQS on moto), or
//! `deployed` (the Lambda function binaries behind the emulation of what template.yaml — or
//! `MISSIVE_TEST_TEMPLATE`, the CDK construct's synthesized template — deploys, tests/deployed,
//! on moto).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use missive::auth::{mint_platform_token, Claims};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub const JWT_SECRET: &str = "scenario-secret-0123456789";
pub const PLATFORM_KEY: &str = "scenario-platform-key";
/// How long a client waits for a frame it expects: longer on the deployed backend, where each
/// frame crosses the emulated API Gateway, a function process and AWS calls through a proxy.
fn receive_timeout() -> Duration {
    Duration::from_secs(if deployed() { 30 } else { 10 })
}

/// Where a server keeps its data: its own directory, and on the AWS backend its own table; on
/// the deployed backend, the emulated stack itself (its data lives in moto, and a "restart"
/// kills the functions' processes, not the stack).
#[derive(Clone, Debug)]
pub struct Place {
    pub data_dir: PathBuf,
    /// `Some` on the AWS backend (MISSIVE_TEST_BACKEND=aws): DynamoDB on moto.
    pub table: Option<String>,
    deployed: Option<Arc<Deployed>>,
    /// The variables it was started with, which a restart on it keeps.
    env: Vec<(String, String)>,
}

/// The emulated stack: its process, and its URLs.
#[derive(Debug)]
struct Deployed {
    _process: Child,
    /// The stack's name: its resources' names start with it.
    stack: String,
    /// The HTTP API's stage URL (`http://…/prod`).
    http: String,
    /// The WebSocket API's stage URL (`ws://…/prod`).
    ws: String,
    /// The emulator's test-only endpoints (sent e-mails, SES failures, killing sandboxes).
    control: String,
}

pub struct Server {
    child: Option<Child>,
    pub base: String,
    /// The REST API's public URL, as e-mails' links give it.
    pub public_url: String,
    pub place: Place,
    http: reqwest::Client,
    _temp: Option<tempfile::TempDir>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Embedded,
    Aws,
    Deployed,
}

fn backend() -> Backend {
    match std::env::var("MISSIVE_TEST_BACKEND").as_deref() {
        Ok("aws") => Backend::Aws,
        Ok("deployed") => Backend::Deployed,
        Ok("embedded") | Err(_) => Backend::Embedded,
        Ok(other) => panic!("MISSIVE_TEST_BACKEND={other}: expected embedded, aws or deployed"),
    }
}

/// Whether the scenarios run on the emulated deployed topology (a scenario about a local-only
/// behaviour says so and does what AWS does instead).
pub fn deployed() -> bool {
    backend() == Backend::Deployed
}

/// A DynamoDB client on moto, as the tests reach it.
fn dynamodb() -> aws_sdk_dynamodb::Client {
    let credentials = aws_sdk_dynamodb::config::Credentials::new("testing", "testing", None, None, "scenarios");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version_latest()
        .endpoint_url(aws_endpoint())
        .region(aws_sdk_dynamodb::config::Region::new("eu-west-1"))
        .credentials_provider(credentials)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// Every record of an embedded store's file, key and JSON value, one a line.
fn embedded_records(path: &std::path::Path) -> String {
    use redb::{ReadableDatabase, ReadableTable};
    let db = redb::Database::open(path).expect("the store's file");
    let read = db.begin_read().expect("a read");
    let items = read.open_table(redb::TableDefinition::<&str, &[u8]>::new("items")).expect("its records");
    let mut lines = Vec::new();
    for entry in items.iter().expect("its records") {
        let (k, v) = entry.expect("a record");
        lines.push(format!("{} {}", k.value(), String::from_utf8_lossy(v.value())));
    }
    lines.join("\n")
}

fn aws_endpoint() -> String {
    std::env::var("MISSIVE_TEST_AWS_ENDPOINT")
        .expect("MISSIVE_TEST_AWS_ENDPOINT is not set: run the tests with ./scripts/test, which starts moto")
}

/// Whether the deployed stack runs under the faults real AWS has (`MISSIVE_TEST_FAULTS=on`,
/// as ./scripts/test runs the deployed backend).
fn faults_on() -> bool {
    std::env::var("MISSIVE_TEST_FAULTS").is_ok_and(|v| v == "on")
}

/// Asks tests/faults/moto_proxy.py, in front of moto, to treat the stack's table and queues as
/// a busy account: a tenth of the transactions cancelled by a conflict, a few with a throttled
/// item, a few calls and queue sends throttled. The functions must absorb every one: a
/// scenario never sees them.
async fn inject_faults(stack: &str) {
    let endpoint = aws_endpoint();
    let rules = [
        json!({ "tablePrefix": stack, "transactionConflict": 0.1, "transactionThrottle": 0.02, "throttle": 0.03 }),
        json!({ "queuePrefix": stack, "throttle": 0.05 }),
    ];
    for rule in rules {
        let answer = reqwest::Client::new()
            .post(format!("{endpoint}/__faults"))
            .json(&rule)
            .send()
            .await
            .expect("the moto proxy answers");
        assert!(answer.status().is_success(), "MISSIVE_TEST_FAULTS needs tests/faults/moto_proxy.py in front of moto");
    }
}

/// The public URL the deployed stack's e-mails link to (PublicUrl must be https): the HTTP
/// API's stage URL stands behind it.
const DEPLOYED_PUBLIC_URL: &str = "https://missive.test/prod";

/// Whether a line of [`Server::stored_text`] is a record of an event log (`…EV…` keys, on
/// either store): events expire within 7 days, whatever else is removed.
pub fn logged_event(record: &str) -> bool {
    record.contains("\u{1f}EV\u{1f}") || record.contains("S(\"EV#")
}

fn owned(env: &[(&str, &str)]) -> Vec<(String, String)> {
    env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn binary(place: &Place) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_missive-local"));
    command
        .env("MISSIVE_JWT_SECRET", JWT_SECRET)
        .env("MISSIVE_PLATFORM_KEY", PLATFORM_KEY)
        .env("RUST_LOG", std::env::var("MISSIVE_TEST_LOG").unwrap_or_else(|_| "warn".into()))
        .arg("--data-dir")
        .arg(&place.data_dir)
        .kill_on_drop(true);
    if let Some(table) = &place.table {
        let endpoint = aws_endpoint();
        command
            .args(["--backend", "aws", "--table", table])
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_REGION", "eu-west-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE");
    }
    command
}

impl Server {
    /// A fresh server with an empty data directory (and table) of its own.
    pub async fn start() -> Server {
        Server::start_with(&[], &[]).await
    }

    /// A fresh server with extra command-line flags and environment variables.
    pub async fn start_with(args: &[&str], env: &[(&str, &str)]) -> Server {
        let temp = tempfile::tempdir().expect("temp dir");
        if backend() == Backend::Deployed {
            let place = Place { data_dir: temp.path().to_path_buf(), table: None, deployed: None, env: owned(env) };
            let mut server = Server::deploy(place, args, env).await;
            server._temp = Some(temp);
            return server;
        }
        let table =
            (backend() == Backend::Aws).then(|| format!("scenario-{}", ulid::Ulid::new().to_string().to_lowercase()));
        let place = Place { data_dir: temp.path().to_path_buf(), table, deployed: None, env: owned(env) };
        if place.table.is_some() {
            let status = binary(&place).arg("setup-aws").stdout(Stdio::null()).status().await.expect("setup-aws");
            assert!(status.success(), "missive-local setup-aws failed");
        }
        let mut server = Server::launch(place, args, env).await;
        server._temp = Some(temp);
        server
    }

    /// A server on existing data (for restarts).
    pub async fn start_on(place: Place) -> Server {
        match place.deployed.clone() {
            Some(stack) => Server::on_stack(place, stack),
            None => {
                let env = place.env.clone();
                let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                Server::launch(place, &[], &env).await
            }
        }
    }

    async fn launch(place: Place, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = binary(&place);
        command.args(["--port", "0", "--no-demo"]).args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child =
            command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("starting missive-local");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("reading stdout") {
                if let Some(base) = line.strip_prefix("Missive listening on ") {
                    return base.to_string();
                }
            }
            panic!("missive-local exited before listening");
        })
        .await
        .expect("missive-local did not start in time");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let public_url = base.clone();
        Server { child: Some(child), base, public_url, place, http: reqwest::Client::new(), _temp: None }
    }

    /// The emulated stack (tests/deployed/emulator.py): the local runtime's flags and
    /// variables become the emulator's options, the template's parameters or test-only
    /// variables for every function.
    async fn deploy(mut place: Place, args: &[&str], env: &[(&str, &str)]) -> Server {
        let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let stack = format!("scenario-{}", ulid::Ulid::new().to_string().to_lowercase());
        let mut command = Command::new(format!("{repo}/.venv/bin/python"));
        command
            .arg(format!("{repo}/tests/deployed/emulator.py"))
            .args(["--aws-endpoint", &aws_endpoint(), "--bin-dir", &format!("{repo}/target/debug")])
            .args(["--stack-name", &stack, "--log-dir", &format!("{repo}/target/deployed-logs/{stack}")])
            .args(["--schedule-every-ms", "1000"])
            // MISSIVE_TEST_TEMPLATE: another template of the same system (the CDK construct's,
            // synthesized: infra/cdk/cdk.out/Missive.template.json); template.yaml by default.
            .args(["--template", &std::env::var("MISSIVE_TEST_TEMPLATE").unwrap_or(format!("{repo}/template.yaml"))])
            .args(["--param", &format!("JwtSecret={JWT_SECRET}"), "--param", &format!("PlatformKey={PLATFORM_KEY}")])
            .args(["--param", &format!("PublicUrl={DEPLOYED_PUBLIC_URL}")])
            .args(["--param", "EmailFrom=no-reply@missive.local"])
            .kill_on_drop(true);
        let mut flags = args.iter();
        while let Some(flag) = flags.next() {
            let renamed = match *flag {
                "--idle-timeout-secs" => "--ws-idle-timeout-secs",
                "--max-connection-secs" => "--ws-max-connection-secs",
                "--scheduler-interval-ms" => "--schedule-every-ms",
                // The deployed backend's own: how many execution environments a function gets.
                "--max-instances" => "--max-instances",
                other => panic!("{other}: no equivalent on the deployed backend"),
            };
            command.arg(renamed).arg(flags.next().expect("a flag's value"));
        }
        for (name, value) in env {
            match *name {
                "MISSIVE_JWKS_URL" => command.args(["--param", &format!("JwksUrl={value}")]),
                _ => command.args(["--env", &format!("{name}={value}")]),
            };
        }
        if faults_on() {
            inject_faults(&stack).await;
            // API Gateway's own faults, which the emulator injects (tests/deployed/harness/faults.py):
            // 5% of the pushes answered 429 LimitExceededException, every push 0 to 20 ms slower.
            command.args(["--push-throttle", "0.05", "--push-latency-ms", "0-20", "--fault-seed", "18"]);
        }
        let mut process =
            command.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("starting the emulator");
        let stdout = process.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (mut http, mut ws, mut control) = (None, None, None);
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("reading stdout") {
                match line.split_once(' ') {
                    Some(("HTTP", url)) => http = Some(url.to_string()),
                    Some(("WS", url)) => ws = Some(url.to_string()),
                    Some(("CONTROL", url)) => control = Some(url.to_string()),
                    _ if line == "READY" => return,
                    _ => {}
                }
            }
            panic!("the emulator exited before READY");
        })
        .await
        .expect("the emulator did not start in time");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let (http, ws, control) = (http.expect("HTTP"), ws.expect("WS"), control.expect("CONTROL"));
        let stack = Arc::new(Deployed { _process: process, stack, http, ws, control });
        place.deployed = Some(stack.clone());
        Server::on_stack(place, stack)
    }

    fn on_stack(place: Place, stack: Arc<Deployed>) -> Server {
        Server {
            child: None,
            base: stack.http.clone(),
            public_url: DEPLOYED_PUBLIC_URL.into(),
            place,
            http: reqwest::Client::new(),
            _temp: None,
        }
    }

    /// Kills the process the hard way (SIGKILL), keeping its data. On the deployed backend,
    /// every function's process is killed mid-flight (the next invocations start cold); the
    /// stack, its data and its sockets stay, as on AWS.
    pub async fn kill9(mut self) -> (Place, Option<tempfile::TempDir>) {
        match (&mut self.child, &self.place.deployed) {
            (Some(child), _) => {
                child.start_kill().expect("kill");
                child.wait().await.expect("wait");
            }
            (None, Some(stack)) => {
                let url = format!("{}/_emulator/sandboxes/kill", stack.control);
                let res = self.http.post(url).send().await.expect("killing the sandboxes");
                assert!(res.status().is_success(), "killing the sandboxes: {}", res.status());
            }
            (None, None) => unreachable!("a server runs a process or a stack"),
        }
        (self.place.clone(), self._temp.take())
    }

    /// Everything the server stored, as text, one record a line: what a test reads to prove
    /// something is gone from the store itself. The embedded store is read from its file once
    /// the server is stopped (redb allows one process); a DynamoDB table is scanned (a test may;
    /// Missive never does). The server is stopped on every backend.
    pub async fn stored_text(self) -> String {
        let (place, _temp) = self.kill9().await;
        let table = match (&place.table, &place.deployed) {
            (Some(table), _) => table.clone(),
            (None, Some(stack)) => {
                let mut pages = dynamodb().list_tables().into_paginator().items().send();
                let mut found = None;
                while let Some(table) = pages.next().await {
                    let table = table.expect("ListTables");
                    if table.starts_with(&stack.stack) {
                        found = Some(table);
                        break;
                    }
                }
                found.expect("the stack's table")
            }
            (None, None) => return embedded_records(&place.data_dir.join("missive.redb")),
        };
        let mut lines = Vec::new();
        let mut start = None;
        loop {
            let page = dynamodb().scan().table_name(&table).set_exclusive_start_key(start).send().await.expect("Scan");
            for item in page.items.unwrap_or_default() {
                lines.push(format!("{item:?}"));
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return lines.join("\n");
            }
        }
    }

    pub fn ws_url(&self, token: &str) -> String {
        match &self.place.deployed {
            Some(stack) => format!("{}?token={token}", stack.ws),
            None => format!("{}/ws?token={token}", self.base.replacen("http", "ws", 1)),
        }
    }

    /// The e-mails sent so far, oldest first, each with `to`, `subject`, `attempts` and `raw`
    /// (its headers and parts as text): the local outbox, or on the deployed backend what SES took.
    pub async fn sent_emails(&self) -> Vec<Value> {
        match &self.place.deployed {
            None => {
                let (status, list) = self.request("GET", "/local/outbox", None, None).await;
                assert_eq!(status, 200, "{list}");
                let dir = self.place.data_dir.join("outbox");
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|entry| {
                        let raw = std::fs::read_to_string(dir.join(entry["file"].as_str().unwrap())).unwrap();
                        json!({ "to": entry["to"], "subject": entry["subject"], "attempts": entry["attempts"], "raw": raw })
                    })
                    .collect()
            }
            Some(stack) => {
                let journal: Value = self
                    .http
                    .get(format!("{}/_emulator/journal", stack.control))
                    .send()
                    .await
                    .expect("the emulator's journal")
                    .json()
                    .await
                    .expect("a JSON journal");
                journal["emails"].as_array().cloned().unwrap_or_default().iter().map(as_sent_email).collect()
            }
        }
    }

    /// Makes e-mail sends fail: `{"next": n}` or `{"always": bool}` (the local outbox, or SES
    /// on the deployed backend).
    pub async fn set_email_failures(&self, failures: Value) -> Value {
        let url = match &self.place.deployed {
            None => format!("{}/local/outbox/failures", self.base),
            Some(stack) => format!("{}/_emulator/ses/failures", stack.control),
        };
        let res = self.http.post(url).json(&failures).send().await.expect("setting e-mail failures");
        assert!(res.status().is_success(), "setting e-mail failures: {}", res.status());
        res.json().await.expect("JSON")
    }

    /// The e-mail failures still to come: `{"next": n, "always": bool}`.
    pub async fn email_failures(&self) -> Value {
        let url = match &self.place.deployed {
            None => format!("{}/local/outbox/failures", self.base),
            Some(stack) => format!("{}/_emulator/ses/failures", stack.control),
        };
        self.http.get(url).send().await.expect("reading e-mail failures").json().await.expect("JSON")
    }

    pub async fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("HTTP request");
        let status = res.status().as_u16();
        let text = res.text().await.expect("body");
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    /// A request with headers of its own (a browser's `Origin`, a preflight's), answering the
    /// status and the response's headers.
    pub async fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, reqwest::header::HeaderMap) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.send().await.expect("HTTP request");
        (res.status().as_u16(), res.headers().clone())
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        self.request("GET", path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.request("POST", path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.request("PUT", path, Some(token), Some(body)).await
    }

    /// Turns a user's in-app `message` notifications off, for scenarios that count the
    /// events an offline user missed and want only the conversation's.
    pub async fn quiet_message_notifications(&self, token: &str) {
        let prefs = json!({ "types": { "message": { "inApp": false, "email": false } } });
        let (status, body) = self.put("/v1/settings/notifications", token, prefs).await;
        assert_eq!(status, 200, "{body}");
    }

    /// Creates a tenant through the platform API.
    pub async fn create_tenant(&self, id: &str) {
        let (status, body) =
            self.request("POST", "/v1/admin/tenants", Some(PLATFORM_KEY), Some(json!({ "id": id, "name": id }))).await;
        assert_eq!(status, 201, "creating tenant {id}: {body}");
    }

    /// A tenant with users that exist already (each has made one request), returning their
    /// tokens in the order given.
    pub async fn tenant_with(&self, tenant: &str, users: &[(&str, &str)]) -> Vec<String> {
        self.create_tenant(tenant).await;
        let mut tokens = Vec::new();
        for (user, role) in users {
            let t = token(tenant, user, role);
            let (status, body) = self.get("/v1/me", &t).await;
            assert_eq!(status, 200, "{body}");
            tokens.push(t);
        }
        tokens
    }

    pub async fn create_conversation(&self, token: &str, body: Value) -> String {
        let (status, conv) = self.post("/v1/conversations", token, body).await;
        assert!(status == 201 || status == 200, "creating a conversation: {status} {conv}");
        conv["id"].as_str().unwrap().to_string()
    }

    /// Every message of a conversation, walking history back from the newest page.
    pub async fn full_history(&self, token: &str, conversation: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut path = format!("/v1/conversations/{conversation}/messages?limit=100");
        loop {
            let (status, page) = self.get(&path, token).await;
            assert_eq!(status, 200, "{page}");
            let mut messages = page["messages"].as_array().unwrap().clone();
            messages.extend(all);
            all = messages;
            match page["olderCursor"].as_str() {
                Some(c) => path = format!("/v1/conversations/{conversation}/messages?limit=100&before={c}"),
                None => return all,
            }
        }
    }
}

/// An e-mail SES took, as the local outbox describes one: its headers and parts as text.
fn as_sent_email(sent: &Value) -> Value {
    let to: Vec<&str> = sent["to"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let mut raw = format!(
        "From: {}\r\nTo: {}\r\nSubject: {}\r\n",
        sent["from"].as_str().unwrap_or_default(),
        to.join(", "),
        sent["subject"].as_str().unwrap_or_default()
    );
    if let Some(headers) = sent["headers"].as_object() {
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {}\r\n", value.as_str().unwrap_or_default()));
        }
    }
    raw.push_str(&format!(
        "\r\nContent-Type: text/plain\r\n\r\n{}\r\nContent-Type: text/html\r\n\r\n{}",
        sent["text"].as_str().unwrap_or_default(),
        sent["html"].as_str().unwrap_or_default()
    ));
    let to = to.first().copied().unwrap_or_default();
    json!({ "to": to, "subject": sent["subject"], "attempts": sent["attempts"], "raw": raw })
}

pub fn claims(tenant: &str, user: &str, role: &str, exp_in_seconds: i64) -> Claims {
    Claims {
        sub: user.into(),
        tid: tenant.into(),
        role: Some(role.into()),
        name: Some(capitalised(user)),
        email: Some(format!("{user}@example.com")),
        locale: None,
        exp: chrono::Utc::now().timestamp() + exp_in_seconds,
        nbf: None,
        iss: None,
        aud: None,
        cid: None,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// A platform token valid for an hour.
/// Polls `probe` until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(secs: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn token(tenant: &str, user: &str, role: &str) -> String {
    mint_platform_token(JWT_SECRET.as_bytes(), &claims(tenant, user, role, 3600)).unwrap()
}

pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl WsClient {
    pub async fn connect(server: &Server, token: &str) -> WsClient {
        let (stream, _) = tokio_tungstenite::connect_async(server.ws_url(token)).await.expect("WebSocket connect");
        WsClient { stream }
    }

    /// The HTTP status of a refused handshake.
    pub async fn refused(server: &Server, token: &str) -> u16 {
        match tokio_tungstenite::connect_async(server.ws_url(token)).await {
            Ok(_) => panic!("the connection was accepted"),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    pub async fn send_text(&mut self, text: String) {
        self.stream.send(Message::Text(text.into())).await.expect("send");
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(frame.to_string()).await;
    }

    /// The next JSON frame other than a `presence` signal (which arrive whenever someone a
    /// test connects comes online); fails the test after a timeout.
    pub async fn recv(&mut self) -> Value {
        loop {
            let frame = self.recv_any().await;
            if frame["type"] != "presence" {
                return frame;
            }
        }
    }

    /// The next JSON frame, whatever it is; fails the test after a timeout.
    pub async fn recv_any(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(receive_timeout(), self.stream.next())
                .await
                .expect("no frame in time")
                .expect("socket closed")
                .expect("socket error");
            match msg {
                Message::Text(t) => return serde_json::from_str(&t).expect("a JSON frame"),
                Message::Close(c) => panic!("socket closed: {c:?}"),
                _ => continue,
            }
        }
    }

    /// Sends a frame and returns the answer to its requestId.
    pub async fn request(&mut self, mut frame: Value, request_id: &str) -> Value {
        frame["requestId"] = json!(request_id);
        self.send(frame).await;
        loop {
            let answer = self.recv().await;
            if answer["requestId"] == json!(request_id) {
                return answer;
            }
        }
    }

    pub async fn send_message(&mut self, conversation: &str, body: &str, request_id: &str) -> Value {
        let ack = self
            .request(json!({ "action": "sendMessage", "conversationId": conversation, "body": body }), request_id)
            .await;
        assert_eq!(ack["type"], "ack", "{ack}");
        ack["message"].clone()
    }

    /// Asserts that no frame but `presence` signals arrives within `ms` milliseconds.
    pub async fn expect_silence(&mut self, ms: u64) {
        let until = tokio::time::Instant::now() + Duration::from_millis(ms);
        while let Ok(Some(Ok(Message::Text(t)))) = tokio::time::timeout_at(until, self.stream.next()).await {
            if serde_json::from_str::<Value>(&t).map(|v| v["type"] != "presence").unwrap_or(true) {
                panic!("unexpected frame: {t}");
            }
        }
    }

    /// Asserts that no frame at all, presence included, arrives within `ms` milliseconds.
    pub async fn expect_no_frame(&mut self, ms: u64) {
        if let Ok(Some(Ok(Message::Text(t)))) =
            tokio::time::timeout(Duration::from_millis(ms), self.stream.next()).await
        {
            panic!("unexpected frame: {t}");
        }
    }

    /// Waits for the server to close the socket; fails if it stays open past `within`.
    pub async fn expect_closed(&mut self, within: Duration) {
        let closed = tokio::time::timeout(within, async {
            loop {
                match self.stream.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "the socket was still open after {within:?}");
    }

    /// A ping and its pong, or `None` when the socket has been closed.
    pub async fn try_ping(&mut self, request_id: &str) -> Option<Value> {
        self.stream
            .send(Message::Text(json!({ "action": "ping", "requestId": request_id }).to_string().into()))
            .await
            .ok()?;
        loop {
            match tokio::time::timeout(receive_timeout(), self.stream.next()).await.ok()? {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).ok()?;
                    if v["requestId"] == json!(request_id) {
                        return Some(v);
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    }

    /// Proves the socket is open and answering: a ping gets its pong.
    /// Asserts that the server closes the socket with `code` (ignoring frames before it).
    pub async fn expect_close(&mut self, code: u16) {
        loop {
            match tokio::time::timeout(receive_timeout(), self.stream.next()).await.expect("no close in time") {
                Some(Ok(Message::Close(Some(frame)))) => {
                    assert_eq!(u16::from(frame.code), code, "{frame:?}");
                    return;
                }
                Some(Ok(Message::Close(None))) | None => panic!("closed without the code {code}"),
                Some(Err(e)) => panic!("socket error instead of the close {code}: {e}"),
                Some(Ok(_)) => continue,
            }
        }
    }

    pub async fn assert_open(&mut self) {
        let pong = self.request(json!({ "action": "ping" }), "still-open").await;
        assert_eq!(pong["type"], "pong");
    }
}
