//! Test support: the real `missive-local` binary on a free port with its own data directory,
//! an HTTP client, and a WebSocket client.

use std::path::PathBuf;
use std::process::Stdio;
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
/// How long a client waits for a frame it expects.
const RECEIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a server keeps its data: its own directory, and on the AWS backend its own table.
#[derive(Clone, Debug)]
pub struct Place {
    pub data_dir: PathBuf,
    /// `Some` on the AWS backend (MISSIVE_TEST_BACKEND=aws): DynamoDB on moto.
    pub table: Option<String>,
}

pub struct Server {
    child: Child,
    pub base: String,
    pub place: Place,
    http: reqwest::Client,
    _temp: Option<tempfile::TempDir>,
}

fn aws_backend() -> bool {
    match std::env::var("MISSIVE_TEST_BACKEND").as_deref() {
        Ok("aws") => true,
        Ok("embedded") | Err(_) => false,
        Ok(other) => panic!("MISSIVE_TEST_BACKEND={other}: expected embedded or aws"),
    }
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
        let endpoint = std::env::var("MISSIVE_TEST_AWS_ENDPOINT")
            .expect("MISSIVE_TEST_AWS_ENDPOINT is not set: run the tests with ./scripts/test, which starts moto");
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
        let table = aws_backend().then(|| format!("scenario-{}", ulid::Ulid::new().to_string().to_lowercase()));
        let place = Place { data_dir: temp.path().to_path_buf(), table };
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
        Server::launch(place, &[], &[]).await
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
        Server { child, base, place, http: reqwest::Client::new(), _temp: None }
    }

    /// Kills the process the hard way (SIGKILL), keeping its data.
    pub async fn kill9(mut self) -> (Place, Option<tempfile::TempDir>) {
        self.child.start_kill().expect("kill");
        self.child.wait().await.expect("wait");
        (self.place.clone(), self._temp.take())
    }

    pub fn ws_url(&self, token: &str) -> String {
        format!("{}/ws?token={token}", self.base.replacen("http", "ws", 1))
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
            let msg = tokio::time::timeout(RECEIVE_TIMEOUT, self.stream.next())
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
            match tokio::time::timeout(RECEIVE_TIMEOUT, self.stream.next()).await.ok()? {
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
    pub async fn assert_open(&mut self) {
        let pong = self.request(json!({ "action": "ping" }), "still-open").await;
        assert_eq!(pong["type"], "pong");
    }
}
