#!/usr/bin/env python3
"""Smoke test of Missive as template.yaml deploys it: moto, the emulator, the real binaries.

    .venv/bin/python tests/deployed/smoke.py          # starts its own moto
    MISSIVE_TEST_AWS_ENDPOINT=http://127.0.0.1:5000 .venv/bin/python tests/deployed/smoke.py

Each check prints PASS or FAIL; the last line is `N passed, N failed`; the exit status is 0 only
when everything passed. The functions' logs are in target/deployed-logs/.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import traceback
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
JWT_SECRET = "smoke-secret-0123456789"
PLATFORM_KEY = "smoke-platform-key-0123"
PARAMETERS = {
    "JwtSecret": JWT_SECRET,
    "PlatformKey": PLATFORM_KEY,
    "PublicUrl": "https://missive.example",
    "EmailFrom": "noreply@missive.example",
}
# Test-only tuning the template does not expose: short e-mail delay, and a queue delay of 1 s
# so that a reminder 5 s ahead waits in the store for the scheduler.
TEST_ENV = {"MISSIVE_MESSAGE_EMAIL_DELAY_SECS": "1", "MISSIVE_MAX_QUEUE_DELAY_SECS": "1",
            # Groups of more than two go through the fan-out worker (notify-worker's pushes).
            "MISSIVE_FANOUT_THRESHOLD": "2",
            # Failed jobs come back quickly.
            "MISSIVE_RETRY_BASE_MS": "200"}


# ---------------------------------------------------------------------- tokens
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(tenant: str, user: str, role: str = "member", secret: str = JWT_SECRET) -> str:
    """A platform token, shaped as tests/scenarios/support.rs `claims` makes them (HS256)."""
    claims = {"sub": user, "tid": tenant, "role": role, "name": user.capitalize(),
              "email": f"{user}@example.com", "exp": int(time.time()) + 3600}
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(hmac.new(secret.encode(), head.encode(), hashlib.sha256).digest())


# ---------------------------------------------------------------------- processes
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_moto() -> tuple[str, subprocess.Popen | None]:
    if os.environ.get("MISSIVE_TEST_AWS_ENDPOINT"):
        return os.environ["MISSIVE_TEST_AWS_ENDPOINT"], None
    port = free_port()
    log = open(REPO / "target" / "deployed-moto.log", "w")
    process = subprocess.Popen([str(REPO / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=log)
    endpoint = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            try:
                async with http.get(f"{endpoint}/moto-api/"):
                    return endpoint, process
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError("moto did not start")


async def start_emulator(endpoint: str) -> tuple[dict, asyncio.subprocess.Process]:
    command = [str(PYTHON), str(REPO / "tests" / "deployed" / "emulator.py"), "--aws-endpoint", endpoint,
               "--bin-dir", str(REPO / "target" / "debug"), "--schedule-every-ms", "500"]
    command += [a for k, v in PARAMETERS.items() for a in ("--param", f"{k}={v}")]
    command += [a for k, v in TEST_ENV.items() for a in ("--env", f"{k}={v}")]
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    endpoints = {}
    while True:
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        if not line:
            raise RuntimeError("the emulator exited before READY (its errors are above)")
        if line == "READY":
            break
        kind, _, value = line.partition(" ")
        endpoints[kind] = value
    endpoints["startup"] = time.monotonic() - started
    return endpoints, process


# ---------------------------------------------------------------------- the checks
class Smoke:
    def __init__(self, http: aiohttp.ClientSession, endpoints: dict, moto: str):
        self.http = http
        self.base = endpoints["HTTP"]
        self.ws_url = endpoints["WS"]
        self.control = endpoints["CONTROL"]
        self.moto = moto
        self.passed: list[str] = []
        self.failed: list[str] = []

    async def request(self, method: str, path: str, auth: str | None = None, body=None, base: str | None = None):
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        async with self.http.request(method, (base or self.base) + path, headers=headers, json=body) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text) if text else None
            except ValueError:
                return response.status, text

    async def journal(self) -> dict:
        async with self.http.get(f"{self.control}/_emulator/journal") as response:
            return await response.json()

    async def check(self, name: str, coroutine) -> bool:
        try:
            detail = await coroutine
            self.passed.append(name)
            print(f"PASS {name}" + (f" — {detail}" if detail else ""), flush=True)
            return True
        except Exception as e:  # an assertion, a timeout, a refused connection
            self.failed.append(name)
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            if os.environ.get("SMOKE_TRACEBACK"):
                traceback.print_exc()
            return False


async def eventually(what: str, probe, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = await probe()
        if value:
            return value
        await asyncio.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


class Client:
    """A WebSocket client that keeps every frame it receives."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.frames: list = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                self.frames.append(json.loads(message.data))

    async def send(self, frame: dict) -> None:
        await self.ws.send_str(json.dumps(frame))

    async def wait_for(self, what: str, predicate, seconds: float = 15):
        async def probe():
            return next((f for f in self.frames if predicate(f)), None)
        return await eventually(what, probe, seconds)

    async def request(self, frame: dict, request_id: str) -> dict:
        await self.send(dict(frame, requestId=request_id))
        return await self.wait_for(f"the answer to {request_id}", lambda f: f.get("requestId") == request_id)


async def run(smoke: Smoke) -> None:
    tenant = f"smoke{int(time.time()) % 100000}"
    alice, bob = token(tenant, "alice"), token(tenant, "bob")
    state: dict = {}

    async def health():
        status, body = await smoke.request("GET", "/v1/health")
        assert status == 200 and body["status"] == "ok", (status, body)
        status, _ = await smoke.request("GET", "/v1/health", base=smoke.base.rsplit("/", 1)[0])
        assert status == 404, f"without the stage: {status}"
        return f"{smoke.base}/v1/health → 200; without the stage → 404 as on API Gateway"

    async def create_tenant():
        status, body = await smoke.request("POST", "/v1/admin/tenants", PLATFORM_KEY, {"id": tenant, "name": tenant})
        assert status == 201, (status, body)
        for user_token in (alice, bob):
            status, body = await smoke.request("GET", "/v1/me", user_token)
            assert status == 200, (status, body)

    async def refused(query: str) -> int:
        try:
            ws = await smoke.http.ws_connect(f"{smoke.ws_url}{query}")
        except aiohttp.WSServerHandshakeError as e:
            return e.status
        await ws.close()
        raise AssertionError(f"{query}: the connection was accepted")

    async def refusals():
        statuses = {
            "no token": await refused(""),
            "bad signature": await refused("?token=" + token(tenant, "alice", secret="not-the-secret-0123456789")),
            "unknown tenant": await refused("?token=" + token("nosuchtenant", "alice")),
        }
        assert set(statuses.values()) == {401}, statuses
        suspended = tenant + "s"
        status, body = await smoke.request("POST", "/v1/admin/tenants", PLATFORM_KEY, {"id": suspended, "name": "S"})
        assert status == 201, (status, body)
        status, body = await smoke.request("PATCH", f"/v1/admin/tenants/{suspended}", PLATFORM_KEY, {"status": "suspended"})
        assert status == 200, (status, body)
        statuses["suspended tenant"] = await refused("?token=" + token(suspended, "zoe"))
        assert statuses["suspended tenant"] == 403, statuses
        return statuses

    async def connect(name: str, user_token: str) -> Client:
        client = Client(await smoke.http.ws_connect(f"{smoke.ws_url}?token={user_token}"))
        pong = await client.request({"action": "ping"}, f"{name}-ping")
        assert pong["type"] == "pong", pong
        return client

    async def connect_alice():
        state["alice"] = await connect("alice", alice)

    async def conversation():
        status, body = await smoke.request("POST", "/v1/conversations", alice, {"kind": "direct", "userId": "bob"})
        assert status == 201, (status, body)
        state["conversation"] = body["id"]

    async def live_delivery():
        state["bob"] = await connect("bob", bob)
        ack = await state["alice"].request(
            {"action": "sendMessage", "conversationId": state["conversation"], "body": "Bonjour Bob"}, "send-1")
        assert ack["type"] == "ack", ack
        frame = await state["bob"].wait_for("bob's message.new", lambda f: f.get("type") == "message.new")
        assert frame["message"]["body"] == "Bonjour Bob", frame
        return "ack to alice, message.new to bob through @connections"

    async def default_route():
        alice_ws, bob_ws, conversation = state["alice"], state["bob"], state["conversation"]
        message = next(f for f in bob_ws.frames if f.get("type") == "message.new")["message"]
        read = await bob_ws.request({"action": "markRead", "conversationId": conversation, "messageId": message["id"]}, "read-1")
        assert read["type"] == "ack" and read["read"]["unreadCount"] == 0, read
        await alice_ws.wait_for("bob's read receipt", lambda f: f.get("type") == "read" and f.get("userId") == "bob")
        typing = await alice_ws.request({"action": "typing", "conversationId": conversation, "state": "start"}, "typing-1")
        assert typing["type"] == "ack", typing
        await bob_ws.wait_for("alice typing", lambda f: f.get("type") == "typing" and f.get("userId") == "alice")
        edit = await alice_ws.request({"action": "editMessage", "conversationId": conversation, "messageId": message["id"],
                                       "body": "Bonjour Bob !"}, "edit-1")
        assert edit["type"] == "ack", edit
        await bob_ws.wait_for("message.updated", lambda f: f.get("type") == "message.updated")
        await bob_ws.send({"action": "sync", "since": "0", "requestId": "sync-1"})
        done = await bob_ws.wait_for("sync.done", lambda f: f.get("type") == "sync.done" and f.get("requestId") == "sync-1")
        unknown = await bob_ws.request({"action": "dance"}, "dance-1")
        assert unknown["type"] == "error" and unknown["code"] == "unknown_action", unknown
        return f"markRead, typing, editMessage, sync (more={done['more']}), unknown_action through $default"

    async def fan_out():
        carol = token(tenant, "carol")
        status, body = await smoke.request("GET", "/v1/me", carol)
        assert status == 200, (status, body)
        carol_ws = await connect("carol", carol)
        status, group = await smoke.request("POST", "/v1/conversations", alice,
                                            {"kind": "group", "title": "Trio", "memberIds": ["bob", "carol"]})
        assert status == 201, (status, group)
        ack = await state["alice"].request({"action": "sendMessage", "conversationId": group["id"], "body": "À tous"}, "group-1")
        assert ack["type"] == "ack", ack
        frame = await carol_ws.wait_for("carol's message.new", lambda f: f.get("type") == "message.new"
                                        and f["message"]["body"] == "À tous")
        await carol_ws.ws.close()
        return "a group of three: the event reached carol through the fan-out job (notify-worker)"

    async def history():
        status, body = await smoke.request("GET", f"/v1/conversations/{state['conversation']}/messages", bob)
        assert status == 200, (status, body)
        assert [m["body"] for m in body["messages"]] == ["Bonjour Bob !"], body  # as edited

    async def offline_email():
        await state["bob"].ws.close()
        # Bob's $disconnect runs after the close: wait until he is offline for the directory.
        async def bob_offline():
            status, body = await smoke.request("GET", "/v1/users", alice)
            return status == 200 and not next(u for u in body["users"] if u["id"] == "bob")["online"]
        await eventually("bob offline", bob_offline)
        ack = await state["alice"].request(
            {"action": "sendMessage", "conversationId": state["conversation"], "body": "Tu es là ?"}, "send-2")
        assert ack["type"] == "ack", ack

        async def bell():
            status, body = await smoke.request("GET", "/v1/notifications", bob)
            return status == 200 and [n for n in body["notifications"] if n["type"] == "message"]
        notification = (await eventually("bob's message notification", bell))[0]

        before = (await smoke.journal())["invocations"].get("email-worker", 0)

        async def email():
            return [e for e in (await smoke.journal())["emails"] if "bob@example.com" in e["to"]]
        sent = (await eventually("bob's e-mail", email, 30))[0]
        state["bob_email"] = sent
        state["email_worker_runs"] = (await smoke.journal())["invocations"].get("email-worker", 0) - before
        async with smoke.http.get(f"{smoke.moto}/moto-api/data.json") as response:
            moto_data = json.loads(await response.text())
        in_moto = json.dumps(moto_data.get("ses", {}))
        assert "bob@example.com" in in_moto, "SES in moto has no e-mail to bob"
        return f"notification {notification['title']!r}; e-mail {sent['subject']!r} from {sent['from']} " \
               f"(configuration set {sent['configurationSet']}), in moto's SES too"

    async def email_checks_not_spinning():
        runs = state["email_worker_runs"]
        assert runs <= 3, (
            f"{runs} email-worker invocations for one e-mail: the sendEmails check came back before its time and was "
            "re-enqueued again and again (job ids mail:…:next:next:…): SqsQueue's DelaySeconds truncates the delay")
        return f"{runs} email-worker invocation(s)"

    async def unsubscribe():
        link = state["bob_email"]["headers"]["List-Unsubscribe"].strip("<>")
        path = link.removeprefix(PARAMETERS["PublicUrl"])
        status, _ = await smoke.request("GET", path)
        assert status == 200, (status, path)
        status, prefs = await smoke.request("GET", "/v1/settings/notifications", bob)
        assert status == 200 and prefs["emailMode"] == "off", (status, prefs)
        return "the e-mail's List-Unsubscribe link (signed by email-worker) works on http-api"

    async def ses_retry():
        async with smoke.http.post(f"{smoke.control}/_emulator/ses/failures", json={"next": 2}) as response:
            assert response.status == 200
        body = {"tenantId": tenant, "users": ["carol"], "type": "event", "title": "Exercice", "body": "Demain 9 h"}
        status, out = await smoke.request("POST", "/v1/notifications", PLATFORM_KEY, body)
        assert status == 201, (status, out)

        async def email():
            return [e for e in (await smoke.journal())["emails"] if "carol@example.com" in e["to"]]
        sent = (await eventually("carol's e-mail after two refusals", email, 45))
        assert len(sent) == 1 and sent[0]["attempts"] == 3, sent
        return "two SendEmail refusals, retried through the queue (ReportBatchItemFailures), sent once on the third"

    async def reminder():
        at = (datetime.now(timezone.utc) + timedelta(seconds=5)).isoformat().replace("+00:00", "Z")
        status, body = await smoke.request("POST", "/v1/reminders", alice, {"at": at, "title": "Stand-up", "users": ["alice"]})
        assert status == 201, (status, body)
        before = (await smoke.journal())["invocations"].get("scheduler", 0)
        frame = await state["alice"].wait_for(
            "the reminder's notification.new", lambda f: f.get("type") == "notification.new"
            and f["notification"]["type"] == "reminder", 30)

        async def fired():
            status, body = await smoke.request("GET", "/v1/reminders", alice)
            return status == 200 and body["reminders"][0]["status"] == "fired"
        await eventually("the reminder marked fired", fired)
        ticks = (await smoke.journal())["invocations"].get("scheduler", 0) - before
        assert ticks > 0, "the scheduler never ran"
        return f"{frame['notification']['title']!r} pushed to alice after {ticks} scheduler runs"

    async def admin_queues():
        status, body = await smoke.request("GET", "/v1/admin/queues", PLATFORM_KEY)
        assert status == 200 and {q["name"] for q in body["queues"]} == {"fanout", "notifications", "emails"}, (status, body)

    async def frame_limit():
        ws = await smoke.http.ws_connect(f"{smoke.ws_url}?token={alice}")
        await ws.send_str(json.dumps({"action": "ping", "pad": "x" * 40_000}))
        message = await asyncio.wait_for(ws.receive(), 10)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING), message
        assert ws.close_code == 1009, ws.close_code
        return "a 40 KB frame closes the socket with 1009"

    async def clean_journal():
        journal = await smoke.journal()
        assert not journal["denials"], journal["denials"]
        assert not journal["unchecked"], journal["unchecked"]
        unexpected = [e for e in journal["errors"]
                      if not (e["function"] == "ws-authorizer" and e.get("errorMessage") == "Unauthorized")]
        assert not unexpected, unexpected
        return f"no IAM denial, no function error; invocations {journal['invocations']}"

    await smoke.check("health on the named stage", health())
    if not await smoke.check("tenant and users", create_tenant()):
        return
    await smoke.check("WebSocket refusals (401, 403)", refusals())
    if not await smoke.check("WebSocket connect with a good token, ping/pong", connect_alice()):
        return
    if not await smoke.check("direct conversation", conversation()):
        return
    await smoke.check("sendMessage delivered live", live_delivery())
    await smoke.check("actions through the $default route", default_route())
    await smoke.check("fan-out to a group through the queue", fan_out())
    await smoke.check("history over REST", history())
    if await smoke.check("offline user: notification, then e-mail through SES", offline_email()):
        await smoke.check("one e-mail, not a loop of early e-mail checks", email_checks_not_spinning())
        await smoke.check("unsubscribe link", unsubscribe())
    await smoke.check("a failed e-mail is retried by the queue", ses_retry())
    await smoke.check("a reminder fired by the scheduler", reminder())
    await smoke.check("queue dashboard (SQS permissions)", admin_queues())
    await smoke.check("32 KB frame limit", frame_limit())
    await smoke.check("no IAM denial, no unexpected function error", clean_journal())


# ---------------------------------------------------------------------- the emulator's own checks
def broken_templates() -> list[tuple[str, dict, object, str]]:
    """Mistakes the emulator must refuse at start, as CloudFormation, Lambda or API Gateway would
    (or that would leave part of the stack dead): (name, parameter overrides, mutation, message)."""
    def drop(*path):
        def mutate(t):
            node = t
            for key in path[:-1]:
                node = node[key]
            del node[path[-1]]
        return mutate

    def put(value, *path):
        def mutate(t):
            node = t
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
        return mutate

    resources = "Resources"
    return [
        ("a route's function without its invoke permission", {}, drop(resources, "WsMessagePermission"),
         "no AWS::Lambda::Permission lets API Gateway invoke WsMessageFunction"),
        ("a queue nothing consumes", {}, drop(resources, "NotifyWorkerFunction", "Properties", "Events"),
         "NotificationsQueue: no event source mapping reads it"),
        ("a visibility timeout below the worker's timeout", {}, put(20, resources, "NotificationsQueue", "Properties",
                                                                   "VisibilityTimeout"),
         "VisibilityTimeout (20 s) is below NotifyWorkerFunction's Timeout (30 s)"),
        ("a route to no integration", {}, put("integrations/nope", resources, "SendMessageRoute", "Properties", "Target"),
         "Target 'integrations/nope' is no integration"),
        ("a CodeUri without a crate", {}, put("functions/nope", resources, "SchedulerFunction", "Properties", "CodeUri"),
         "CodeUri functions/nope has no Cargo.toml"),
        ("a variable referring to nothing", {}, put({"Ref": "Nope"}, "Globals", "Function", "Environment",
                                                   "Variables", "MISSIVE_TABLE"),
         "refers to Nope, which is not in the template"),
        ("a stage that deploys nothing", {}, put(False, resources, "WebSocketStage", "Properties", "AutoDeploy"),
         "neither AutoDeploy nor a DeploymentId"),
        ("a parameter outside its range", {"EmailWorkerMaxConcurrency": "1"}, lambda t: None,
         "parameter EmailWorkerMaxConcurrency='1': below 2"),
    ]


async def refuses(endpoint: str, mutate, overrides: dict, expected: str) -> str:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(REPO / "tests" / "deployed"))
    from harness import provision, topology
    from harness.template import Stack, TemplateError, decode, sam_transform

    def attempt():
        template = decode(REPO / "template.yaml")
        mutate(template)
        parameters = dict(PARAMETERS, **overrides)
        try:
            cloudformation, code_uris = sam_transform(template, parameters, "eu-west-1")
            stack = Stack(cloudformation, parameters, "eu-west-1", f"broken-{int(time.time() * 1000) % 10**8}")
            provision.create(stack, provision.clients(endpoint, "eu-west-1"), [])
            topology.read(stack, code_uris, REPO, REPO / "target" / "debug")
        except TemplateError as e:
            assert expected in str(e), f"refused, but not for that: {e}"
            return next(line.strip(" -") for line in str(e).splitlines() if expected in line)
        raise AssertionError("accepted")
    return await asyncio.to_thread(attempt)


async def main() -> int:
    (REPO / "target").mkdir(exist_ok=True)
    moto, moto_process = await start_moto()
    emulator = None
    smoke = None
    try:
        endpoints, emulator = await start_emulator(moto)
        print(f"emulator ready in {endpoints['startup']:.1f} s: {endpoints}", flush=True)
        async with aiohttp.ClientSession() as http:
            smoke = Smoke(http, endpoints, moto)
            await run(smoke)
            for name, overrides, mutate, expected in broken_templates():
                await smoke.check(f"refused at start: {name}", refuses(moto, mutate, overrides, expected))
    finally:
        if emulator and emulator.returncode is None:
            emulator.terminate()
            await emulator.wait()
        if moto_process:
            moto_process.terminate()
    passed, failed = (len(smoke.passed), len(smoke.failed)) if smoke else (0, 1)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
