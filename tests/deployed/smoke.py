#!/usr/bin/env python3
"""Smoke test of Missive as template.yaml deploys it: moto, the emulator, the real binaries.

    .venv/bin/python tests/deployed/smoke.py          # starts its own moto
    MISSIVE_TEST_AWS_ENDPOINT=http://127.0.0.1:5000 .venv/bin/python tests/deployed/smoke.py

Each check prints PASS or FAIL with its duration; the last line is `N passed, N failed`; the exit
status is 0 only when everything passed. The functions' logs are in target/deployed-logs/.

A second stack follows, stressed: a small account whose request path has reserved concurrency,
a flood of jobs on the notifications queue while clients send, and a worker killed mid-batch.
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
from urllib.parse import quote
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


# The first stack's tenant (read again by a second stack on its table).
SMOKE_TENANT = f"smoke{int(time.time()) % 100000}"


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


async def start_moto() -> tuple[str, list[subprocess.Popen]]:
    if os.environ.get("MISSIVE_TEST_AWS_ENDPOINT"):
        return os.environ["MISSIVE_TEST_AWS_ENDPOINT"], []
    port = free_port()
    log = open(REPO / "target" / "deployed-moto.log", "w")
    process = subprocess.Popen([str(REPO / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=log)
    endpoint = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            try:
                async with http.get(f"{endpoint}/moto-api/"):
                    break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        else:
            raise RuntimeError("moto did not start")
    # Through the proxy the test command puts in front of moto (tests/faults/moto_proxy.py): its
    # guard, and the SES tenants moto lacks.
    port_file = REPO / "target" / "deployed-moto-proxy.port"
    port_file.unlink(missing_ok=True)
    proxy = subprocess.Popen([sys.executable, str(REPO / "tests" / "faults" / "moto_proxy.py"), "--upstream", endpoint,
                              "--port-file", str(port_file)], stdout=log, stderr=log)
    for _ in range(100):
        if port_file.exists() and port_file.read_text():
            return f"http://127.0.0.1:{port_file.read_text()}", [process, proxy]
        await asyncio.sleep(0.1)
    raise RuntimeError("the moto proxy did not start")


async def start_emulator(endpoint: str, options: tuple = (), parameters: dict | None = None,
                         without: tuple = ()) -> tuple[dict, asyncio.subprocess.Process]:
    command = [str(PYTHON), str(REPO / "tests" / "deployed" / "emulator.py"), "--aws-endpoint", endpoint,
               "--bin-dir", str(REPO / "target" / "debug"), "--schedule-every-ms", "500", *options]
    given = {k: v for k, v in dict(PARAMETERS, **(parameters or {})).items() if k not in without}
    command += [a for k, v in given.items() for a in ("--param", f"{k}={v}")]
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
        self.stack = endpoints.get("STACK", "")
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
        started = time.monotonic()
        try:
            detail = await coroutine
            self.passed.append(name)
            print(f"PASS {name} ({time.monotonic() - started:.1f} s)" + (f" — {detail}" if detail else ""), flush=True)
            return True
        except Exception as e:  # an assertion, a timeout, a refused connection
            self.failed.append(name)
            print(f"FAIL {name} ({time.monotonic() - started:.1f} s): {type(e).__name__}: {e}", flush=True)
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
    tenant = SMOKE_TENANT
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
        state["group"] = group["id"]
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
        sent_before = await ses_sent()

        async def email():
            return [e for e in (await smoke.journal())["emails"] if "bob@example.com" in e["to"]]
        sent = (await eventually("bob's e-mail", email, 30))[0]
        state["bob_email"] = sent
        state["email_worker_runs"] = (await smoke.journal())["invocations"].get("email-worker", 0) - before
        # SES's own count (moto's /moto-api/data.json would tell the recipient, but it dumps every
        # model moto holds — after the other suites, half a minute with moto's lock held).
        sent_after = await ses_sent()
        assert sent_after > sent_before, f"SES in moto sent nothing ({sent_before} before, {sent_after} after)"
        # Sent as the tenant's own SES tenant, made with the configuration set and the identity.
        ses_tenant = f"{smoke.stack}-{tenant}"
        assert sent["sesTenant"] == ses_tenant, sent
        made = (await ses_tenants())[ses_tenant]
        assert any(":configuration-set/" in r for r in made["resources"]) and any(
            ":identity/" in r for r in made["resources"]), made
        return f"notification {notification['title']!r}; e-mail {sent['subject']!r} from {sent['from']} " \
               f"(configuration set {sent['configurationSet']}, SES tenant {ses_tenant}), in moto's SES too"

    async def ses_tenants() -> dict:
        """The SES tenants made (tests/faults/ses_tenants.py, in the proxy in front of moto)."""
        async with smoke.http.get(f"{smoke.moto}/__ses/tenants") as response:
            return await response.json()

    async def ses_sent() -> float:
        """How many e-mails moto's SES sent in the last 24 hours (its send quota's count)."""
        def read():
            import boto3
            session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                            region_name="eu-west-1")
            return session.client("ses", endpoint_url=smoke.moto).get_send_quota()["SentLast24Hours"]
        return await asyncio.to_thread(read)

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

    async def ses_paused():
        """SES pauses the tenant's sending (its reputation policy would; here the operator's call
        SES has for it): carol's next e-mail is held — EmailsPaused, nothing sent — and waits
        an hour to be tried again; the tenant is reinstated afterwards."""
        ses_tenant = (await ses_tenants())[f"{smoke.stack}-{tenant}"]
        status_url = (f"{smoke.moto}/v2/email/reputation/entities/RESOURCE/"
                      f"{quote(ses_tenant['TenantArn'], safe='')}/customer-managed-status")
        log = REPO / "target" / "deployed-logs" / "email-worker.log"
        paused_before = log.read_text().count('"EmailsPaused":1')
        async with smoke.http.put(status_url, json={"SendingStatus": "DISABLED"}) as response:
            assert response.status == 200, await response.text()
        try:
            body = {"tenantId": tenant, "users": ["carol"], "type": "event", "title": "Exercice annulé", "body": "Pause"}
            status, out = await smoke.request("POST", "/v1/notifications", PLATFORM_KEY, body)
            assert status == 201, (status, out)

            async def held():
                return log.read_text().count('"EmailsPaused":1') > paused_before
            await eventually("carol's e-mail held: EmailsPaused in email-worker's log", held, 45)
            emails = (await smoke.journal())["emails"]
            assert not [e for e in emails if "Exercice annulé" in (e["subject"] or "") + (e["text"] or "")], emails[-1]
        finally:
            async with smoke.http.put(status_url, json={"SendingStatus": "REINSTATED"}) as response:
                assert response.status == 200, await response.text()
        return f"SES tenant {ses_tenant['TenantName']} paused: the e-mail held (EmailsPaused), nothing sent, " \
               "tried again in an hour; reinstated"

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

    async def throttled_pushes():
        # API Gateway throttling pushes (429 LimitExceededException) and slowing them: the
        # functions' SDK retries each throttled push, so every frame still arrives, once.
        faults = {"seed": 7, "push": {"throttle": 0.25, "latencyMs": [0, 20]}}
        async with smoke.http.post(f"{smoke.control}/_emulator/faults", json=faults) as response:
            assert response.status == 200, await response.text()
        try:
            readers = {"bob": await connect("bob-2", bob), "carol": await connect("carol-2", token(tenant, "carol"))}
            sent = []
            for i in range(12):
                frame = {"action": "sendMessage", "conversationId": state["group"], "body": f"sous la charge {i}"}
                ack = await state["alice"].request(frame, f"push-{i}")
                assert ack["type"] == "ack", ack
                sent.append(ack["message"]["id"])
            for name, reader in readers.items():
                def received(reader=reader) -> list[int]:
                    ids = [f["message"]["id"] for f in reader.frames if f.get("type") == "message.new"]
                    return [ids.count(i) for i in sent]

                async def all_received(received=received) -> bool:
                    return all(received())
                await eventually(f"{name}'s twelve messages", all_received)
                assert received() == [1] * len(sent), f"{name} received each message {received()} times"
                await reader.ws.close()
            async with smoke.http.get(f"{smoke.control}/_emulator/faults") as response:
                counters = (await response.json())["push"]
            assert counters["throttled"] > 0, counters
        finally:
            async with smoke.http.post(f"{smoke.control}/_emulator/faults",
                                       json={"push": {"throttle": 0, "latencyMs": 0}}) as response:
                assert response.status == 200
        return (f"{counters['throttled']} of {counters['posts']} pushes throttled, {counters['delayedMs']:.0f} ms of "
                "added latency: 12 messages acknowledged, each received once by bob and carol")

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
    await smoke.check("a tenant whose SES sending is paused: its e-mail waits", ses_paused())
    await smoke.check("a reminder fired by the scheduler", reminder())
    await smoke.check("queue dashboard (SQS permissions)", admin_queues())
    await smoke.check("32 KB frame limit", frame_limit())
    if "group" in state:
        await smoke.check("@connections throttled and slow: every message still delivered once", throttled_pushes())
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
        ("reservations leaving under 100 unreserved of the account's 1,000", {"WsMessageReservedConcurrency": "901"},
         lambda t: None, "decreases account's UnreservedConcurrentExecution below its minimum value of [100]"),
        # Behind an alias, a function is invoked through it: a caller of $LATEST would take every
        # deploy at once, canary or not.
        ("an integration invoking $LATEST of a function behind its alias", {},
         put({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                         "${WsMessageFunction.Arn}/invocations"}, resources, "MessageIntegration", "Properties",
             "IntegrationUri"),
         "MessageIntegration: invokes WsMessageFunction unqualified ($LATEST) though it has the alias live"),
        ("a permission on $LATEST where the route invokes the alias", {},
         put({"Ref": "WsConnectFunction"}, resources, "WsConnectPermission", "Properties", "FunctionName"),
         "no AWS::Lambda::Permission lets API Gateway invoke WsConnectFunction for $connect"),
    ]


async def refuses(endpoint: str, mutate, overrides: dict, expected: str) -> str:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(REPO / "tests" / "deployed"))
    from harness import provision, topology
    from harness.concurrency import ConcurrencyPool
    from harness.template import Stack, TemplateError, decode, sam_transform

    def attempt():
        template = decode(REPO / "template.yaml")
        mutate(template)
        parameters = dict(PARAMETERS, **overrides)
        try:
            cloudformation, code_uris = sam_transform(template, parameters, "eu-west-1")
            stack = Stack(cloudformation, parameters, "eu-west-1", f"broken-{int(time.time() * 1000) % 10**8}")
            provision.create(stack, provision.clients(endpoint, "eu-west-1"), [])
            functions = topology.read(stack, code_uris, REPO, REPO / "target" / "debug").functions.values()
            ConcurrencyPool(1000, list(functions))  # Lambda's own account default
        except TemplateError as e:
            assert expected in str(e), f"refused, but not for that: {e}"
            return next(line.strip(" -") for line in str(e).splitlines() if expected in line)
        raise AssertionError("accepted")
    return await asyncio.to_thread(attempt)


async def canary(http: aiohttp.ClientSession, endpoints: dict) -> str:
    """The canary's schedule fired (its rate is five minutes): its run signs tokens with the
    stack's secret, makes its tenant, and times a message between two sockets."""
    async with http.post(f"{endpoints['CONTROL']}/_emulator/schedules/fire?function=canary") as r:
        runs = await r.json()
    assert len(runs) == 1 and runs[0]["ok"], runs
    outcome = runs[0]["payload"]
    assert outcome["passed"] is True, outcome
    return f"passed in {outcome['latencyMs']} ms (socket to socket)"


async def rolled_back(endpoint: str) -> str:
    """A deploy whose new versions cannot reach their table (every function given a table that
    does not exist): each function's deployment runs the pre-traffic hook, which reads from
    CodeDeploy what that deployment moves and probes it; only http-api's health and the
    scheduler's pass read the table, so only their deployments fail; the emulator, as
    CloudFormation, then lets no traffic reach the stack."""
    command = [str(PYTHON), str(REPO / "tests" / "deployed" / "emulator.py"), "--aws-endpoint", endpoint,
               "--bin-dir", str(REPO / "target" / "debug"), "--env", "MISSIVE_TABLE=no-such-table",
               "--log-dir", str(REPO / "target" / "deployed-logs" / "rolled-back")]
    command += [a for k, v in PARAMETERS.items() for a in ("--param", f"{k}={v}")]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    output = (await asyncio.wait_for(process.stdout.read(), 120)).decode()
    code = await process.wait()
    assert "READY" not in output.splitlines(), output
    line = next((l for l in output.splitlines() if l.startswith("DEPLOY ROLLED BACK")), None)
    assert code == 4 and line, (code, output)
    assert "failed 2 of 8 deployments: HttpApiFunction" in line and "; SchedulerFunction" in line, line
    log = (REPO / "target" / "deployed-logs" / "rolled-back" / "deploy-check.log").read_text()
    assert "http-api" in log and "unhealthy" in log, log[-2000:]
    return f"exit {code}: {line[:160]}"


async def on_an_existing_table(endpoint: str, http: aiohttp.ClientSession, table: str, tenant: str) -> str:
    """A second stack pointed at the first one's table (ExistingTableName: a table restored from
    point-in-time recovery is used the same way), with no JwtSecret given (the stack generates
    it): it makes no table, and serves the first stack's data."""
    parameters = {k: v for k, v in PARAMETERS.items() if k != "JwtSecret"}
    options = ("--no-warm", "--log-dir", str(REPO / "target" / "deployed-logs" / "existing-table"))
    endpoints, process = await start_emulator(endpoint, options, dict(parameters, ExistingTableName=table),
                                              without=("JwtSecret",))
    try:
        async with http.get(f"{endpoints['CONTROL']}/_emulator/stack") as r:
            stack = await r.json()
        assert stack["tables"] == [table], stack["tables"]
        headers = {"Authorization": f"Bearer {PLATFORM_KEY}"}
        # An empty change answers the tenant as the table holds it.
        async with http.patch(f"{endpoints['HTTP']}/v1/admin/tenants/{tenant}", headers=headers, json={}) as r:
            body = await r.json()
            assert r.status == 200 and body["id"] == tenant, (r.status, body)
    finally:
        await stop(process)
    return f"stack {stack['stackName']} on {table}: tenant {tenant} read through it"


# ---------------------------------------------------------------------- under stress
# A second stack, as a small account would run it: 14 concurrent executions, of which the request
# path reserves 10 through the template's parameters (ws-message 4, the authorizer 1, ws-connect
# and ws-disconnect 2 each, http-api 1), leaving 4 unreserved for the workers and the scheduler.
# AWS refuses reservations that leave less than 100 unreserved; --min-unreserved-concurrency
# (test only) lets this small pool have them. Failed batches come back after 5 s rather than the
# queues' 180 (--visibility-timeout-cap-secs, test only).
STRESS_PARAMETERS = {"WsMessageReservedConcurrency": "4", "WsAuthorizerReservedConcurrency": "1",
                     "WsConnectDisconnectReservedConcurrency": "2", "HttpApiReservedConcurrency": "1"}
STRESS_POOL, STRESS_VISIBILITY = 14, 5
STRESS_OPTIONS = ("--account-concurrency", str(STRESS_POOL), "--min-unreserved-concurrency", "2",
                  "--max-instances", "5", "--visibility-timeout-cap-secs", str(STRESS_VISIBILITY),
                  "--fault-seed", "18", "--log-dir", str(REPO / "target" / "deployed-logs" / "stressed"))
FLOOD = 60  # jobs the flood keeps waiting on the notifications queue while the test sends (a second's work)
SENDS = 20  # WebSocket messages sent during the flood


class Aws:
    """The stressed stack's queues and table, as the test sees them in moto."""

    def __init__(self, moto: str, stack: dict):
        sys.dont_write_bytecode = True
        sys.path.insert(0, str(REPO / "tests" / "deployed"))
        from harness import provision
        clients = provision.clients(moto, "eu-west-1")
        self.sqs, self.dynamodb = clients["sqs"], clients["dynamodb"]
        self.urls = {logical: queue["url"] for logical, queue in stack["queues"].items()}
        self.table = stack["tables"][0]

    async def depth(self, queue: str) -> int:
        """Jobs on a queue, visible, in flight or delayed."""
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed"]
        out = await asyncio.to_thread(self.sqs.get_queue_attributes, QueueUrl=self.urls[queue], AttributeNames=names)
        return sum(int(out["Attributes"][n]) for n in names)

    async def send(self, queue: str, bodies: list[str]) -> None:
        def send_all():
            for start in range(0, len(bodies), 10):
                entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + 10])]
                self.sqs.send_message_batch(QueueUrl=self.urls[queue], Entries=entries)
        await asyncio.to_thread(send_all)

    async def age_leases(self, tenant: str) -> list[str]:
        """Ends the leases of the tenant's unfinished effects, as their 2 minutes passing would.
        On AWS a killed batch comes back after the queues' 180 s, by which time the leases its jobs
        took (120 s, shared/src/usecases/effects.rs) have ended; with records back after 5 s the
        test ages them itself rather than wait two minutes."""
        def age():
            found = self.dynamodb.scan(
                TableName=self.table, FilterExpression="begins_with(PK, :effects) AND done = :no",
                ExpressionAttributeValues={":effects": {"S": f"T#{tenant}#EFFECT#"}, ":no": {"BOOL": False}})["Items"]
            now = str(int(time.time() * 1000))
            for item in found:
                self.dynamodb.update_item(
                    TableName=self.table, Key={"PK": item["PK"], "SK": item["SK"]},
                    UpdateExpression="SET #until = :now", ConditionExpression="done = :no",
                    ExpressionAttributeNames={"#until": "until"},
                    ExpressionAttributeValues={":now": {"N": now}, ":no": {"BOOL": False}})
            return [item["PK"]["S"].split("#EFFECT#", 1)[1] for item in found]
        return await asyncio.to_thread(age)


async def run_stressed(smoke: Smoke) -> None:
    async with smoke.http.get(f"{smoke.control}/_emulator/stack") as response:
        aws = Aws(smoke.moto, await response.json())

    async def faults(wanted: dict) -> dict:
        async with smoke.http.post(f"{smoke.control}/_emulator/faults", json=wanted) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def tenant_with(name: str, users: list[str]) -> dict[str, str]:
        # One REST request at a time: http-api has a single reserved unit on this stack.
        status, body = await smoke.request("POST", "/v1/admin/tenants", PLATFORM_KEY, {"id": name, "name": name})
        assert status == 201, (status, body)
        tokens = {user: token(name, user) for user in users}
        for user_token in tokens.values():
            status, body = await smoke.request("GET", "/v1/me", user_token)
            assert status == 200, (status, body)
        return tokens

    async def connect(user_token: str, request_id: str) -> Client:
        client = Client(await smoke.http.ws_connect(f"{smoke.ws_url}?token={user_token}"))
        pong = await client.request({"action": "ping"}, request_id)
        assert pong["type"] == "pong", pong
        return client

    async def flood():
        tenant = f"flood{int(time.time()) % 100000}"
        tokens = await tenant_with(tenant, ["alice", "bob"])
        status, direct = await smoke.request("POST", "/v1/conversations", tokens["alice"],
                                             {"kind": "direct", "userId": "bob"})
        assert status == 201, (status, direct)
        alice, bob = await connect(tokens["alice"], "flood-a"), await connect(tokens["bob"], "flood-b")
        # Jobs the notifications worker accepts and does quickly: a message notification for a
        # message that is not there (deleted meanwhile) is a job done, with nothing to notify.
        def job(i: int) -> str:
            payload = {"conversationId": direct["id"], "messageId": f"flood{i:05d}", "users": ["bob"]}
            return json.dumps({"id": f"notify:flood:{i}", "tenantId": tenant, "kind": "notifyMessage", "payload": payload})
        sending = asyncio.Event()
        queued = 0

        async def feed():
            # Keeps FLOOD jobs waiting until the sends are over, so that every send meets the flood.
            nonlocal queued
            while not sending.is_set():
                if await aws.depth("NotificationsQueue") < FLOOD:
                    await aws.send("NotificationsQueue", [job(queued + i) for i in range(20)])
                    queued += 20
                    continue
                try:  # enough waiting: look again in a moment, or stop with the sends
                    await asyncio.wait_for(sending.wait(), 0.1)
                except asyncio.TimeoutError:
                    pass
        feeder = asyncio.create_task(feed())

        async def throttled():
            return (await smoke.journal())["throttles"].get("notify-worker", 0) > 0
        # The sends start once the worker has taken the whole unreserved pool and is refused more.
        await eventually("notify-worker throttled by the flood", throttled)
        throttles_before = (await smoke.journal())["throttles"]["notify-worker"]
        waiting: list[int] = []  # the flood's jobs still waiting as each send is acknowledged

        async def sends(stream: int) -> list[str]:
            ids = []
            for i in range(SENDS // 2):
                ack = await alice.request({"action": "sendMessage", "conversationId": direct["id"],
                                           "body": f"pendant le déluge {stream}.{i}"}, f"flood-{stream}-{i}")
                assert ack["type"] == "ack", ack
                ids.append(ack["message"]["id"])
                waiting.append(await aws.depth("NotificationsQueue"))
            return ids
        # Two at a time: ws-message's 4 units cover a send and the end of the one before it.
        try:
            sent = [i for ids in await asyncio.gather(sends(1), sends(2)) for i in ids]
        finally:
            sending.set()
            await feeder
        throttled_during = (await smoke.journal())["throttles"]["notify-worker"] - throttles_before
        assert min(waiting) > 0, f"the flood ran dry during the sends (jobs waiting at each ack: {waiting})"
        assert throttled_during > 0, "notify-worker was not throttled during the sends"

        async def delivered():
            return sorted(f["message"]["id"] for f in bob.frames if f.get("type") == "message.new") == sorted(sent)
        await eventually(f"bob's {SENDS} messages", delivered)

        async def drained():
            return await aws.depth("NotificationsQueue") == 0
        await eventually(f"the flood's {queued} jobs done", drained, 60)
        journal = await smoke.journal()
        usage, unreserved = journal["concurrency"]["functions"], journal["concurrency"]["unreserved"]["limit"]
        assert await aws.depth("NotificationsDeadLetterQueue") == 0, "jobs dead-lettered during the flood"
        assert journal["throttles"].get("ws-message", 0) == 0, journal["throttles"]
        assert usage["notify-worker"]["peak"] <= unreserved, (usage["notify-worker"], unreserved)
        reserved = int(STRESS_PARAMETERS["WsMessageReservedConcurrency"])
        assert usage["ws-message"]["peak"] <= reserved, usage["ws-message"]
        for client in (alice, bob):
            await client.ws.close()
        return (f"{SENDS} sends acknowledged and delivered while {min(waiting)} to {max(waiting)} of {queued} flood "
                f"jobs waited; notify-worker throttled {throttled_during} times meanwhile "
                f"({journal['throttles']['notify-worker']} in all, peak {usage['notify-worker']['peak']} of the "
                f"{unreserved} unreserved), ws-message never (peak {usage['ws-message']['peak']} of its {reserved} "
                f"reserved); throttles {journal['throttles']}")

    async def killed_mid_batch():
        tenant = f"kill{int(time.time()) % 100000}"
        tokens = await tenant_with(tenant, ["alice", "bob", "carol", "dave"])
        status, group = await smoke.request("POST", "/v1/conversations", tokens["alice"],
                                            {"kind": "group", "title": "Relève", "memberIds": ["bob", "carol", "dave"]})
        assert status == 201, (status, group)
        alice, bob = await connect(tokens["alice"], "kill-a"), await connect(tokens["bob"], "kill-b")
        # Bob's presence announcement goes first (a fan-out job too): the kill is for the message's.
        await alice.wait_for("bob online", lambda f: f.get("type") == "presence" and f.get("userId") == "bob")

        async def fanout_idle():
            return await aws.depth("FanoutQueue") == 0
        await eventually("the presence jobs done", fanout_idle)
        kills = len((await smoke.journal())["kills"])

        async def killed(n: int):
            async def probe():
                found = (await smoke.journal())["kills"]
                return found[kills:] if len(found) >= kills + n else None
            return await eventually(f"kill {n}", probe, 20)

        # 1. The fan-out job dies after its pushes, as it queues the offline members' notifications.
        await faults({"kill": {"function": "notify-worker", "queue": "FanoutQueue", "call": "sqs:SendMessage",
                               "afterCalls": 1, "next": 1}})
        frame = {"action": "sendMessage", "conversationId": group["id"], "body": "Qui prend la relève ?"}
        ack = await alice.request(frame, "kill-send")
        assert ack["type"] == "ack", ack
        message = ack["message"]["id"]
        first = (await killed(1))[0]
        assert first["calls"][-1] == "sqs:SendMessage", first
        # 2. Redone after the visibility timeout, it queues them; that job dies half-way, at the
        # worst moment: carol's notification, its event, her pending e-mail and her e-mail check
        # are written, and the call it dies at would mark her effect done. The 14 calls are today's
        # code's: the job's lease, the message, the conversation, two members, then carol's nine.
        await faults({"kill": {"function": "notify-worker", "queue": "NotificationsQueue", "afterCalls": 14,
                               "next": 1}})
        second = (await killed(2))[1]
        aged = await aws.age_leases(tenant)
        # 3. Redone once more: carol's notification is made again — the same one (its id comes
        # from the effect's key), with the same pending e-mail — and dave's is made.

        async def notifications(user: str) -> list[dict]:
            status, body = await smoke.request("GET", "/v1/notifications", tokens[user])
            assert status == 200, (status, body)
            return [n for n in body["notifications"] if n.get("messageId") == message]

        async def emails(user: str) -> list[dict]:
            return [e for e in (await smoke.journal())["emails"] if f"{user}@example.com" in e["to"]]

        async def settled():
            return (await notifications("dave") and await emails("carol") and await emails("dave")
                    and all([await aws.depth(q) == 0 for q in ("FanoutQueue", "NotificationsQueue", "EmailsQueue")]))
        await eventually("dave's notification and both e-mails, every queue empty", settled, 40)
        counts = {user: (len(await notifications(user)), len(await emails(user))) for user in ("carol", "dave")}
        # Before notifications took stable ids, carol got two here, and two e-mails.
        assert counts == {"carol": (1, 1), "dave": (1, 1)}, (
            f"(notifications, e-mails) per offline member: {counts}; the second kill's calls: {second['calls']}")
        pushed = [f for f in bob.frames if f.get("type") == "message.new" and f["message"]["id"] == message]
        assert len({f["cursor"] for f in pushed}) == 1, pushed
        for client in (alice, bob):
            await client.ws.close()
        await faults({"kill": None})
        return (f"fan-out killed at its call {first['afterCalls']} ({first['calls'][-1]}) after pushing to bob, "
                f"redone after {STRESS_VISIBILITY} s: bob got message.new {len(pushed)} times, one cursor (clients "
                f"drop a cursor seen); its notifications job killed at call {second['afterCalls']} before carol's "
                f"effect was marked done, leases aged {aged}, redone: carol and dave one notification and one e-mail "
                f"each")

    async def clean_journal():
        journal = await smoke.journal()
        assert not journal["denials"], journal["denials"]
        unexpected = [e for e in journal["errors"] if e["errorType"] != "Runtime.ExitError"]
        assert not unexpected, unexpected
        assert len(journal["errors"]) == len(journal["kills"]), (journal["errors"], journal["kills"])
        return f"no IAM denial; errors only the {len(journal['kills'])} kills; throttles {journal['throttles']}"

    await smoke.check("a flood on the notifications queue: WebSocket sends never throttled, the worker capped", flood())
    await smoke.check("a worker killed mid-batch: redone after the visibility timeout, its effects once",
                      killed_mid_batch())
    await smoke.check("stressed stack: no IAM denial, no function error but the kills", clean_journal())


async def stop(emulator: asyncio.subprocess.Process | None) -> None:
    if emulator and emulator.returncode is None:
        emulator.terminate()
        await emulator.wait()


async def main() -> int:
    (REPO / "target").mkdir(exist_ok=True)
    moto, moto_processes = await start_moto()
    emulator = None
    smokes: list[Smoke] = []
    try:
        endpoints, emulator = await start_emulator(moto)
        print(f"emulator ready in {endpoints['startup']:.1f} s: {endpoints}", flush=True)
        async with aiohttp.ClientSession() as http:
            smokes.append(Smoke(http, endpoints, moto))
            await run(smokes[0])
            await smokes[0].check("the synthetic canary: a message from one socket to another, through the APIs",
                                  canary(http, endpoints))
            async with http.get(f"{endpoints['CONTROL']}/_emulator/stack") as r:
                first_table = (await r.json())["tables"][0]
            await stop(emulator)  # one stack at a time on this machine
            await smokes[0].check("a stack on an existing table (ExistingTableName) with a generated JWT secret",
                                  on_an_existing_table(moto, http, first_table, SMOKE_TENANT))
            for name, overrides, mutate, expected in broken_templates():
                await smokes[0].check(f"refused at start: {name}", refuses(moto, mutate, overrides, expected))
            await smokes[0].check("a deploy whose new versions are unhealthy is rolled back before any traffic",
                                  rolled_back(moto))
            endpoints, emulator = await start_emulator(moto, STRESS_OPTIONS, STRESS_PARAMETERS)
            print(f"stressed stack ready in {endpoints['startup']:.1f} s: {endpoints}", flush=True)
            smokes.append(Smoke(http, endpoints, moto))
            await run_stressed(smokes[1])
    finally:
        await stop(emulator)
        for process in moto_processes:
            process.terminate()
    passed = sum(len(s.passed) for s in smokes)
    failed = sum(len(s.failed) for s in smokes) if smokes else 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
