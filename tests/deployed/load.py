#!/usr/bin/env python3
"""Load test of Missive as template.yaml deploys it: moto behind the fault proxy, the emulator
with the real Lambda binaries (target/debug), and one asyncio process holding every client.

    .venv/bin/python tests/deployed/load.py              # 1,000 sockets, a group of 500, 100 pairs
    .venv/bin/python tests/deployed/load.py --quick      # 100 sockets, a group of 60, 20 pairs (CI)
    .venv/bin/python tests/deployed/load.py --no-faults  # the proxy's guard only, no injected faults

What it does, bounded in time:
1. starts moto (its TransactWriteItems made independent of the table's size: `serve_moto`),
   tests/faults/moto_proxy.py in front of it — with faults for the stack's table and queues
   at the rates of tests/scenarios/support.rs `inject_faults` unless --no-faults — and
   tests/deployed/emulator.py on the proxy;
2. creates one tenant (platform key) and opens --sockets WebSockets, one user each (the
   authorizer provisions the users), --connect-concurrency at a time;
3. over the HTTP API with members' tokens: creates a group of --group-size (its first 100
   members, then the others added 100 at a time) and --pairs direct conversations, and waits
   until every member heard of its conversations (conversation.created / .updated);
4. runs --senders concurrent senders, each sending --messages messages (or for --duration
   seconds) one after another, each from a random member of a conversation chosen at random:
   the group with probability --group-share, else one of the pairs. Every send carries a
   `clientMessageId` and is sent again with the same id after `unavailable`, `rate_limited`
   or API Gateway's error frame (full-jitter backoff, as clients/js), or after --ack-timeout
   without an answer;
5. waits (at most --drain seconds) until every member but the sender got every acknowledged
   message, then prints a summary and one JSON line: messages, acks, ack and delivery
   latencies (p50/p99 from the first attempt; nearest rank), pushes per message (at the
   clients, and the functions' own `Deliveries` / `MessagesSent` metric lines in their
   logs), lost, duplicated and misdelivered deliveries, error frames, the faults the proxy
   injected, the invocations and their durations (Lambda's REPORT lines).

--kill-sandboxes-every N SIGKILLs every function's sandboxes every N seconds while sending;
--kill-sends N kills ws-message N times between storing a direct message and pushing it.

Exit status: 0 when nothing was lost, duplicated or misdelivered, no send was refused with
`internal` (or another error that is not retryable) or left unacknowledged, no function
failed and IAM denied nothing (those two are expected with the kills); 1
otherwise; 2 when the stack could not be set up. The functions' logs, moto's, the proxy's and
the emulator's are in target/deployed-logs/<stack>/.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import math
import os
import random
import re
import resource
import signal
import socket
import string
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
JWT_SECRET = "load-secret-0123456789"
PLATFORM_KEY = "load-platform-key-0123"
PARAMETERS = {
    "JwtSecret": JWT_SECRET,
    "PlatformKey": PLATFORM_KEY,
    "PublicUrl": "https://missive.example",
    "EmailFrom": "noreply@missive.example",
}
# As tests/scenarios/support.rs `inject_faults` (MISSIVE_TEST_FAULTS=on).
TABLE_FAULTS = {"transactionConflict": 0.1, "transactionThrottle": 0.02, "throttle": 0.03}
QUEUE_FAULTS = {"throttle": 0.05}
GROUP_CHUNK = 100  # members per group creation or addition request
GATEWAY_ERROR = "API Gateway error"  # the answer to a send whose integration failed


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sockets", type=int, default=1000, help="WebSocket connections, one user each (1000)")
    p.add_argument("--group-size", type=int, default=500, help="members of the group, all connected (500)")
    p.add_argument("--pairs", type=int, default=100, help="direct conversations, both sides connected (100)")
    p.add_argument("--senders", type=int, default=20, help="concurrent senders (20)")
    p.add_argument("--messages", type=int, default=15, help="messages per sender (15)")
    p.add_argument("--duration", type=float, help="send for this many seconds instead of --messages")
    p.add_argument("--group-share", type=float, default=0.03,
                   help="probability that a message goes to the group (0.03; each is group-size - 1 pushes)")
    p.add_argument("--seed", type=int, default=18, help="choices and injected faults (18)")
    p.add_argument("--no-faults", action="store_true", help="inject no faults (the proxy still serializes DynamoDB)")
    p.add_argument("--quick", action="store_true",
                   help="a small run: 100 sockets, a group of 60, 20 pairs, 3 messages per sender, group share 0.2")
    p.add_argument("--connect-concurrency", type=int, default=50, help="WebSockets opening at once (50)")
    p.add_argument("--ack-timeout", type=float, default=10,
                   help="seconds without an answer before sending again (10, as clients/js)")
    p.add_argument("--max-attempts", type=int, default=8, help="attempts of one send before giving up (8)")
    p.add_argument("--drain", type=float, default=60, help="seconds to wait for the last deliveries (60)")
    p.add_argument("--setup-timeout", type=float, default=120, help="seconds for each setup step (120)")
    p.add_argument("--max-instances", type=int, default=4, help="the emulator's sandboxes per function (4)")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                   help="TEST ONLY: a variable for every function (the emulator's --env; repeatable)")
    p.add_argument("--emulator-arg", action="append", default=[], metavar="ARG",
                   help="an argument passed on to emulator.py (repeatable: --emulator-arg=--push-throttle "
                        "--emulator-arg=0.05)")
    p.add_argument("--kill-sandboxes-every", type=float, metavar="SECONDS",
                   help="while sending, SIGKILL every function's sandboxes this often (the emulator's "
                        "/_emulator/sandboxes/kill: Lambda recycling them mid-invocation)")
    p.add_argument("--kill-sends", type=int, default=0, metavar="N",
                   help="kill ws-message N times just after a direct message is stored, before its push "
                        "(the emulator's kill fault at its first BatchGetItem): the client resends, the "
                        "message must still reach its recipient once")
    p.add_argument("--moto-as-is", action="store_true",
                   help="moto's own TransactWriteItems, whose cost grows with the table (see serve_moto)")
    p.add_argument("--json-only", action="store_true", help="print only the JSON summary line")
    args = p.parse_args()
    if args.quick:
        explicit = {a.split("=")[0] for a in sys.argv[1:]}
        for name, value in (("sockets", 100), ("group_size", 60), ("pairs", 20), ("messages", 3), ("group_share", 0.2)):
            if f"--{name.replace('_', '-')}" not in explicit:
                setattr(args, name, value)
    if not 2 <= args.group_size <= args.sockets:
        p.error("--group-size must be from 2 to --sockets")
    if args.pairs < 0 or 2 * args.pairs > args.sockets:
        p.error("--pairs: each pair needs two sockets of its own (2 * pairs <= sockets)")
    if not 0 <= args.group_share <= 1 or (args.pairs == 0 and args.group_share < 1):
        p.error("--group-share must be from 0 to 1 (1 when there are no pairs)")
    if args.senders < 1:
        p.error("--senders must be at least 1")
    return args


# ---------------------------------------------------------------------- tokens, figures
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(tenant: str, user: str, role: str = "member") -> str:
    """A platform token as tests/scenarios/support.rs `claims` makes them (HS256)."""
    claims = {"sub": user, "tid": tenant, "role": role, "name": user.capitalize(),
              "email": f"{user}@example.com", "exp": int(time.time()) + 3 * 3600}
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + _b64(json.dumps(claims).encode())
    return head + "." + _b64(hmac.new(JWT_SECRET.encode(), head.encode(), hashlib.sha256).digest())


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest rank, as docs/performance.md's figures."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def latency_figures(values: list[float]) -> dict:
    values = sorted(values)
    return {"n": len(values), "p50_ms": ms(percentile(values, 50)), "p99_ms": ms(percentile(values, 99)),
            "max_ms": ms(values[-1] if values else None)}


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole host, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def busy_pct(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    total = after[1] - before[1]
    return round(100 * (after[0] - before[0]) / total, 1) if total > 0 else None


def process_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def children(pid: int) -> dict[int, str]:
    """The live child processes of `pid`: pid → command name."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                name, rest = (entry / "stat").read_text().rsplit(")", 1)
                if int(rest.split()[1]) == pid:
                    found[int(entry.name)] = name.split("(", 1)[1]
            except (OSError, IndexError, ValueError):
                continue
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------- moto
def serve_moto(argv: list[str]) -> None:
    """moto's server, with TransactWriteItems at a cost that does not grow with the table.

    moto backs up every table a transaction names with `copy.deepcopy` — once per item of the
    transaction — before running it, to restore it on failure (moto/dynamodb/models,
    `transact_write_items`). The cost grows with the table: measured in-process on this
    machine, a 4-item transaction took 129 ms on a table of 1,000 items, 596 ms at 4,000 and
    1,648 ms at 8,000 (a GetItem: 2 ms throughout). This test's table holds thousands of items
    (a user, a connection, memberships…), and the fault proxy lets one DynamoDB request reach
    moto at a time: every send would wait for seconds behind others' backups, measuring moto.
    Here the backup is of the items the transaction names (an undo log), restored the same way
    on the same failures; DynamoDB's own transactions cost the same whatever the table's size.
    --moto-as-is keeps moto's own."""
    import copy
    import threading

    import moto.dynamodb.models as models
    from moto.server import main as moto_main

    backend = models.DynamoDBBackend
    original = backend.transact_write_items
    local = threading.local()

    class TablesNotCopied:
        """The `copy` module as moto's DynamoDB models see it: during a transaction, a table's
        deepcopy is the table itself (the undo log below stands for the backup)."""

        def __getattr__(self, name):
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value, memo=None):
            if getattr(local, "transaction", False) and isinstance(value, models.Table):
                return value
            return copy.deepcopy(value, memo)

    def transact_write_items(self, transact_items):
        undo = []
        for entry in transact_items:
            try:
                _, op = next(iter(entry.items()))
                name = op["TableName"]
                table = self.tables[name]
                if "Item" in op:
                    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = op["Item"][table.range_key_attr]
                else:
                    key = op["Key"]
                before = self.get_item(name, key)
                undo.append((name, key, None if before is None else copy.deepcopy(before.to_json()["Attributes"])))
            except Exception:  # an invalid entry: moto's own code refuses it below
                continue
        local.transaction = True
        try:
            return original(self, transact_items)
        except Exception:
            for name, key, attributes in reversed(undo):
                if attributes is None:
                    self.delete_item(name, key)
                else:
                    self.put_item(name, attributes)
            raise
        finally:
            local.transaction = False

    models.copy = TablesNotCopied()
    backend.transact_write_items = transact_write_items
    moto_main(argv)


# ---------------------------------------------------------------------- the stack
class Stack:
    """moto, the fault proxy and the emulator, started and stopped together."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.name = "load-" + "".join(random.Random().choices(string.ascii_lowercase + string.digits, k=8))
        self.log_dir = REPO / "target" / "deployed-logs" / self.name
        self.processes: list[subprocess.Popen] = []
        self.emulator: asyncio.subprocess.Process | None = None
        self.endpoints: dict[str, str] = {}
        self.proxy = ""

    async def _wait_http(self, http: aiohttp.ClientSession, url: str, what: str) -> None:
        for _ in range(200):
            try:
                async with http.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{what} did not start")

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        moto_port, proxy_port = free_port(), free_port()
        log = open(self.log_dir / "moto.log", "w")
        moto_command = [str(REPO / ".venv" / "bin" / "moto_server")] if self.args.moto_as_is else \
            [str(PYTHON), str(Path(__file__).resolve()), "--serve-moto"]
        self.processes.append(subprocess.Popen(moto_command + ["-H", "127.0.0.1", "-p", str(moto_port)],
                                               stdout=log, stderr=log))
        moto = f"http://127.0.0.1:{moto_port}"
        await self._wait_http(http, f"{moto}/moto-api/", "moto")
        log = open(self.log_dir / "moto-proxy.log", "w")
        self.processes.append(subprocess.Popen(
            [str(PYTHON), str(REPO / "tests" / "faults" / "moto_proxy.py"), "--upstream", moto,
             "--port", str(proxy_port)], stdout=log, stderr=log))
        self.proxy = f"http://127.0.0.1:{proxy_port}"
        await self._wait_http(http, f"{self.proxy}/__faults/stats", "the moto proxy")
        if not self.args.no_faults:
            rules = [dict(TABLE_FAULTS, tablePrefix=self.name, seed=self.args.seed),
                     dict(QUEUE_FAULTS, queuePrefix=self.name)]
            for rule in rules:
                async with http.post(f"{self.proxy}/__faults", json=rule) as response:
                    assert response.status == 200, await response.text()

        command = [str(PYTHON), str(REPO / "tests" / "deployed" / "emulator.py"), "--aws-endpoint", self.proxy,
                   "--bin-dir", str(REPO / "target" / "debug"), "--stack-name", self.name,
                   "--log-dir", str(self.log_dir), "--max-instances", str(self.args.max_instances)]
        command += [a for k, v in PARAMETERS.items() for a in ("--param", f"{k}={v}")]
        command += [a for v in self.args.env for a in ("--env", v)]
        command += self.args.emulator_arg
        if self.args.kill_sends:
            kill = {"function": "ws-message", "call": "dynamodb:BatchGetItem", "afterCalls": 1,
                    "next": self.args.kill_sends}
            command += ["--faults", json.dumps({"seed": self.args.seed, "kill": kill})]
        stderr = open(self.log_dir / "emulator.stderr.log", "w")
        self.emulator = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE, stderr=stderr,
                                                             limit=1 << 20)
        started = time.monotonic()
        while True:
            line = (await asyncio.wait_for(self.emulator.stdout.readline(), 60)).decode().strip()
            if not line:
                raise RuntimeError(f"the emulator exited before READY: see {self.log_dir / 'emulator.stderr.log'}")
            if line == "READY":
                break
            kind, _, value = line.partition(" ")
            self.endpoints[kind] = value
        self.endpoints["startup_s"] = f"{time.monotonic() - started:.1f}"
        asyncio.create_task(self._drain_stdout())

    async def _drain_stdout(self) -> None:
        """The emulator's later stdout (its pollers' complaints), kept so its pipe never fills."""
        with open(self.log_dir / "emulator.stdout.log", "ab") as out:
            while line := await self.emulator.stdout.readline():
                out.write(line)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of moto, the proxy, the emulator and its live sandboxes (by function
        binary: a sandbox killed or replaced meanwhile is not counted)."""
        out = {"moto": process_cpu(self.processes[0].pid), "moto-proxy": process_cpu(self.processes[1].pid)}
        if self.emulator:
            out["emulator"] = process_cpu(self.emulator.pid)
            for pid, name in children(self.emulator.pid).items():
                out[f"pid:{pid}:{name}"] = process_cpu(pid)
        return out

    async def faults(self, http: aiohttp.ClientSession, targets: list[str]) -> dict:
        totals: Counter = Counter()
        for target in targets:
            async with http.get(f"{self.proxy}/__faults/stats", params={"target": target}) as response:
                totals.update(await response.json())
        return dict(totals)

    async def stop(self) -> None:
        if self.emulator and self.emulator.returncode is None:
            self.emulator.terminate()  # closes every socket (their $disconnect run), then the sandboxes
            try:
                await asyncio.wait_for(self.emulator.wait(), 20)
            except asyncio.TimeoutError:
                self.emulator.kill()
                await self.emulator.wait()
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()


# ---------------------------------------------------------------------- clients and messages
@dataclass
class Sent:
    """One message: what was sent, its answer, who got it."""
    cmid: str
    conversation: "Conversation"
    sender: int
    kind: str
    t0: float
    attempts: int = 0
    acked_at: float | None = None
    message_id: str | None = None
    failure: str | None = None
    received: set = field(default_factory=set)  # recipients' user indexes


@dataclass
class Conversation:
    id: str
    kind: str
    members: list[int]
    member_set: frozenset = frozenset()


class Tally:
    """Everything counted at the clients."""

    def __init__(self):
        self.sent: dict[str, Sent] = {}
        self.ack_latency: dict[str, list[float]] = {"group": [], "direct": []}
        self.delivery_latency: dict[str, list[float]] = {"group": [], "direct": []}
        self.deliveries = 0  # message.new of this run's messages, duplicates included
        self.expected_received = 0  # first deliveries to an expected recipient
        self.duplicates: list[dict] = []
        self.misdelivered: list[dict] = []
        self.foreign = 0  # message.new of messages this run did not send
        self.error_codes: Counter = Counter()  # error frames answering our sends
        self.retries: Counter = Counter()  # why sends were sent again
        self.gateway_errors: list[str] = []  # API Gateway's own {"message": …} frames
        self.other_frames: Counter = Counter()
        self.idempotency_breaks: list[dict] = []  # one clientMessageId acked with two message ids
        self.created: dict[str, set] = {}  # conversation id → user indexes that got conversation.created


class Client:
    """One user's one WebSocket; its reader settles the answers to its requests and tallies
    every message.new it receives."""

    def __init__(self, index: int, user: str, tally: Tally):
        self.index = index
        self.user = user
        self.tally = tally
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.pending: dict[str, asyncio.Future] = {}
        self.seen: set[str] = set()
        self.conversations: dict[str, Conversation] = {}
        self.closed_early = False

    async def read(self) -> None:
        tally = self.tally
        loads = json.loads
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            now = time.monotonic()
            frame = loads(message.data)
            kind = frame.get("type")
            if kind == "message.new":
                self._message_new(frame, now)
            elif kind == "ack" or kind == "error":
                future = self.pending.pop(frame.get("requestId"), None)
                if future is not None and not future.done():
                    future.set_result((now, frame))
                else:
                    tally.other_frames[f"unmatched {kind}"] += 1
            elif kind == "conversation.created" or kind == "conversation.updated":
                tally.created.setdefault(frame["conversation"]["id"], set()).add(self.index)
                tally.other_frames[kind] += 1
            elif kind is None:
                # API Gateway's own answer to a failed integration ({"message": "Internal server
                # error", "connectionId", "requestId": its own}): it names none of our requests;
                # with one request pending on this socket, it is that one's answer.
                tally.gateway_errors.append(message.data[:300])
                if len(self.pending) == 1:
                    future = self.pending.popitem()[1]
                    if not future.done():
                        future.set_result((now, {"type": "error", "code": GATEWAY_ERROR}))
            else:
                tally.other_frames[kind] += 1
        self.closed_early = True

    def _message_new(self, frame: dict, now: float) -> None:
        tally = self.tally
        message = frame["message"]
        sent = tally.sent.get(message.get("clientMessageId"))
        if sent is None or sent.conversation.id != frame.get("conversationId"):
            tally.foreign += 1
            return
        tally.deliveries += 1
        message_id = message["id"]
        if message_id in self.seen:
            tally.duplicates.append({"user": self.user, "messageId": message_id, "cursor": frame.get("cursor"),
                                     "kind": sent.kind})
            return
        self.seen.add(message_id)
        if self.index == sent.sender or self.index not in sent.conversation.member_set:
            tally.misdelivered.append({"user": self.user, "messageId": message_id, "kind": sent.kind})
            return
        if sent.message_id is not None and sent.message_id != message_id:
            tally.idempotency_breaks.append({"cmid": sent.cmid, "acked": sent.message_id, "delivered": message_id})
        if self.index not in sent.received:
            sent.received.add(self.index)
            tally.expected_received += 1
            tally.delivery_latency[sent.kind].append(now - sent.t0)

    async def request(self, frame: dict, request_id: str, timeout: float):
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        try:
            await self.ws.send_str(json.dumps(dict(frame, requestId=request_id)))
            return await asyncio.wait_for(future, timeout)
        finally:
            self.pending.pop(request_id, None)


class Load:
    def __init__(self, args: argparse.Namespace, stack: Stack, http: aiohttp.ClientSession):
        self.args = args
        self.stack = stack
        self.http = http
        self.base = stack.endpoints["HTTP"]
        self.ws_url = stack.endpoints["WS"]
        self.control = stack.endpoints["CONTROL"]
        self.tenant = "load" + "".join(random.Random().choices(string.ascii_lowercase, k=6))
        self.random = random.Random(args.seed)
        self.tally = Tally()
        self.clients: list[Client] = []
        self.group: Conversation | None = None
        self.pairs: list[Conversation] = []
        self.http_calls: Counter = Counter()
        self.connect_failures: Counter = Counter()
        self.phases: dict[str, float] = {}
        self.kills = 0
        self.stack_cpu: dict[str, float] = {}
        self.log = (lambda *a: None) if args.json_only else (lambda *a: print(*a, flush=True))

    # ------------------------------------------------------------------ HTTP API
    async def api(self, method: str, path: str, auth: str, body=None, attempts: int = 8):
        """One call, sent again on 503 `unavailable` (after Retry-After); any other answer is returned."""
        for attempt in range(attempts):
            async with self.http.request(method, self.base + path, json=body,
                                         headers={"Authorization": f"Bearer {auth}"}) as response:
                text = await response.text()
                status = response.status
            self.http_calls[status] += 1
            if status == 503 and attempt + 1 < attempts:
                await asyncio.sleep(0.2 + self.random.random() * 0.8)
                continue
            try:
                return status, json.loads(text) if text else None
            except ValueError:
                return status, text
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ setup
    async def connect_all(self) -> None:
        gate = asyncio.Semaphore(self.args.connect_concurrency)
        width = len(str(self.args.sockets - 1))

        async def one(index: int) -> None:
            client = Client(index, f"u{index:0{width}d}", self.tally)
            user_token = token(self.tenant, client.user)
            async with gate:
                for attempt in range(6):
                    try:
                        client.ws = await self.http.ws_connect(f"{self.ws_url}?token={user_token}", autoping=True,
                                                               heartbeat=None, max_msg_size=0)
                        break
                    except aiohttp.WSServerHandshakeError as e:
                        self.connect_failures[e.status] += 1
                        await asyncio.sleep(0.2 * 2 ** attempt * self.random.random())
                else:
                    raise RuntimeError(f"{client.user} could not connect: {dict(self.connect_failures)}")
            client.reader = asyncio.create_task(client.read())
            self.clients.append(client)

        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(self.args.sockets))), self.args.setup_timeout)
        self.clients.sort(key=lambda c: c.index)

    async def create_conversations(self) -> None:
        users = [c.user for c in self.clients]
        owner = token(self.tenant, self.clients[0].user)
        members = list(range(self.args.group_size))
        # Creating a group checks its members one GetItem after another (as adding them does):
        # 500 at once outlast http-api's 10 s timeout on this emulator. So the group is created
        # with its first GROUP_CHUNK members, and the others are added GROUP_CHUNK at a time.
        others = users[1:self.args.group_size]
        status, body = await self.api("POST", "/v1/conversations", owner,
                                      {"kind": "group", "title": "Load", "memberIds": others[:GROUP_CHUNK - 1]})
        if status != 201:
            raise RuntimeError(f"creating the group: {status} {body}")
        self.group = Conversation(body["id"], "group", members, frozenset(members))
        for start in range(GROUP_CHUNK - 1, len(others), GROUP_CHUNK):
            chunk = others[start:start + GROUP_CHUNK]
            status, body = await self.api("POST", f"/v1/conversations/{self.group.id}/members", owner,
                                          {"userIds": chunk})
            # After a 503 the repeat may find them all added already.
            if status != 200 and not (status == 400 and "no one to add" in json.dumps(body)):
                raise RuntimeError(f"adding {len(chunk)} members to the group: {status} {body}")
        # Pairs take the sockets after the group's, wrapping around (sharing users with the group
        # only when there are too few sockets for both).
        n = self.args.sockets
        pair_members = [[(self.args.group_size + 2 * k) % n, (self.args.group_size + 2 * k + 1) % n]
                        for k in range(self.args.pairs)]
        gate = asyncio.Semaphore(10)

        async def pair(a: int, b: int) -> Conversation:
            async with gate:
                status, body = await self.api("POST", "/v1/conversations", token(self.tenant, users[a]),
                                              {"kind": "direct", "userId": users[b]})
            if status not in (200, 201):
                raise RuntimeError(f"creating the pair {users[a]}–{users[b]}: {status} {body}")
            return Conversation(body["id"], "direct", [a, b], frozenset((a, b)))

        self.pairs = await asyncio.wait_for(asyncio.gather(*(pair(a, b) for a, b in pair_members)),
                                            self.args.setup_timeout)

    async def wait_created(self) -> dict:
        """Until every member heard of its conversations: conversation.created, or for those
        added to the group later conversation.updated (bounded)."""
        wanted = {c.id: c.member_set for c in [self.group, *self.pairs]}

        def missing() -> int:
            return sum(len(m - self.tally.created.get(cid, set())) for cid, m in wanted.items())

        deadline = time.monotonic() + self.args.setup_timeout
        while missing() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return {"expected": sum(len(m) for m in wanted.values()), "missing": missing()}

    # ------------------------------------------------------------------ sending
    def _pick(self, rng: random.Random) -> tuple[Conversation, int]:
        if rng.random() < self.args.group_share:
            conversation = self.group
        else:
            conversation = self.pairs[rng.randrange(len(self.pairs))]
        return conversation, conversation.members[rng.randrange(len(conversation.members))]

    async def send_one(self, cmid: str, conversation: Conversation, sender: int, rng: random.Random) -> None:
        tally = self.tally
        client = self.clients[sender]
        sent = Sent(cmid, conversation, sender, conversation.kind, time.monotonic())
        tally.sent[cmid] = sent
        frame = {"action": "sendMessage", "conversationId": conversation.id, "body": f"load {cmid}",
                 "clientMessageId": cmid}
        backoff = 0
        while sent.attempts < self.args.max_attempts:
            sent.attempts += 1
            try:
                at, answer = await client.request(frame, f"{cmid}#{sent.attempts}", self.args.ack_timeout)
            except asyncio.TimeoutError:
                tally.retries["no answer"] += 1
                continue
            except (aiohttp.ClientError, ConnectionError) as e:
                sent.failure = f"socket: {e}"
                return
            if answer["type"] == "ack":
                sent.acked_at = at
                sent.message_id = answer["message"]["id"]
                if answer["message"].get("clientMessageId") != cmid:
                    tally.idempotency_breaks.append({"cmid": cmid, "ackedFor": answer["message"].get("clientMessageId")})
                tally.ack_latency[sent.kind].append(at - sent.t0)
                return
            code = answer.get("code", "?")
            if code != GATEWAY_ERROR:  # the gateway's frames are tallied as they come
                tally.error_codes[code] += 1
            if code not in ("unavailable", "rate_limited", GATEWAY_ERROR):
                sent.failure = f"{code}: {answer.get('message')}"
                return
            tally.retries[code] += 1
            # Full jitter, base 500 ms, at least 50 ms (clients/js/src/backoff.ts, connection.ts).
            await asyncio.sleep(max(0.05, rng.random() * min(30, 0.5 * 2 ** backoff)))
            backoff += 1
        sent.failure = f"no ack after {sent.attempts} attempts"

    async def sender(self, number: int, deadline: float | None) -> None:
        rng = random.Random(self.args.seed * 1000 + number)  # each sender's choices, whatever the timing
        n = 0
        while (time.monotonic() < deadline) if deadline else (n < self.args.messages):
            conversation, sender = self._pick(rng)
            await self.send_one(f"L{number}-{n}", conversation, sender, rng)
            n += 1

    async def send_phase(self) -> None:
        deadline = time.monotonic() + self.args.duration if self.args.duration else None
        chaos = asyncio.create_task(self.kill_sandboxes()) if self.args.kill_sandboxes_every else None
        try:
            await asyncio.gather(*(self.sender(i, deadline) for i in range(self.args.senders)))
        finally:
            if chaos:
                chaos.cancel()

    async def kill_sandboxes(self) -> None:
        while True:
            await asyncio.sleep(self.args.kill_sandboxes_every)
            async with self.http.post(f"{self.control}/_emulator/sandboxes/kill") as response:
                if response.status == 200:
                    self.kills += 1

    def expected_total(self) -> int:
        return sum(len(s.conversation.members) - 1 for s in self.tally.sent.values() if s.acked_at is not None)

    async def drain(self) -> float:
        started = time.monotonic()
        target = self.expected_total()
        while self.tally.expected_received < target and time.monotonic() - started < self.args.drain:
            await asyncio.sleep(0.05)
        return time.monotonic() - started


# ---------------------------------------------------------------------- the functions' own counts
class LogCounts:
    """The EMF metric lines (shared/src/metrics.rs) the functions wrote to their log files
    after a mark, summed by metric; and their WARN/ERROR log lines."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.offsets: dict[Path, int] = {}

    def mark(self) -> None:
        self.offsets = {p: p.stat().st_size for p in self.log_dir.glob("*.log")}

    def read(self) -> tuple[dict, dict, list[str], dict]:
        metrics: Counter = Counter()
        durations: dict[str, list[float]] = {}
        levels: Counter = Counter()
        samples: list[str] = []
        for path in sorted(self.log_dir.glob("*.log")):
            if path.name.startswith(("moto", "emulator")):
                continue
            with open(path, "rb") as f:
                f.seek(self.offsets.get(path, 0))
                for raw in f:
                    line = raw.decode(errors="replace")
                    if " REPORT RequestId: " in line:
                        duration = re.search(r"Duration: ([0-9.]+) ms", line)
                        if duration:
                            durations.setdefault(path.stem, []).append(float(duration.group(1)) / 1000)
                        continue
                    if '"_aws"' in line:  # "HH:MM:SS [sandbox] {…}"
                        try:
                            record = json.loads(line[line.index("{"):])
                        except ValueError:
                            continue
                        for directive in record["_aws"].get("CloudWatchMetrics", []):
                            for metric in directive.get("Metrics", []):
                                metrics[metric["Name"]] += record.get(metric["Name"], 0)
                        continue
                    level = re.search(r'"level":"(WARN|ERROR)"|(panicked at)', line)
                    if level:
                        name = f"{path.stem} {level.group(1) or 'panic'}"
                        levels[name] += 1
                        if len(samples) < 12:
                            samples.append(f"{path.stem}: {line.strip()[:400]}")
        return dict(metrics), dict(levels), samples, {k: latency_figures(v) for k, v in durations.items()}


# ---------------------------------------------------------------------- the run
async def run(args: argparse.Namespace) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the emulator
    wall = time.monotonic()
    host_before = cpu_times()
    await asyncio.sleep(1)
    host_idle_check = busy_pct(host_before, cpu_times())
    stack = Stack(args)
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    summary: dict = {}
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None)) as http:
        try:
            try:
                await stack.start(http)
            except Exception as e:
                print(f"SETUP FAILED: {type(e).__name__}: {e}", flush=True)
                return 2
            load = Load(args, stack, http)
            log = load.log
            log(f"stack {stack.name}: emulator ready in {stack.endpoints['startup_s']} s; logs in {stack.log_dir}")
            async with http.get(f"{load.control}/_emulator/stack") as response:
                described = await response.json()
            targets = list(described["tables"]) + [q["name"] for q in described["queues"].values()]
            try:
                t = time.monotonic()
                status, body = await load.api("POST", "/v1/admin/tenants", PLATFORM_KEY,
                                              {"id": load.tenant, "name": "Load"})
                if status != 201:
                    raise RuntimeError(f"creating the tenant: {status} {body}")
                await load.connect_all()
                load.phases["connect_s"] = time.monotonic() - t
                log(f"{len(load.clients)} sockets open in {load.phases['connect_s']:.1f} s "
                    f"({len(load.clients) / load.phases['connect_s']:.0f}/s; refused then retried: "
                    f"{dict(load.connect_failures) or 0})")
                t = time.monotonic()
                await load.create_conversations()
                created = await load.wait_created()
                load.phases["conversations_s"] = time.monotonic() - t
                log(f"group of {args.group_size} and {len(load.pairs)} pairs created in "
                    f"{load.phases['conversations_s']:.1f} s; conversation.created: {created}")
            except Exception as e:
                print(f"SETUP FAILED: {type(e).__name__}: {e}", flush=True)
                return 2

            logs = LogCounts(stack.log_dir)
            logs.mark()
            faults_before = await stack.faults(http, targets)
            invocations_before = (await journal(http, load.control))["invocations"]
            stack_cpu_before = stack.cpu()
            cpu_before, host_before, t = resource.getrusage(resource.RUSAGE_SELF), cpu_times(), time.monotonic()
            what = f"for {args.duration:.0f} s" if args.duration else f"{args.messages} messages each"
            log(f"sending: {args.senders} senders, {what}, group share {args.group_share}, "
                f"faults {'off' if args.no_faults else 'on'}")
            await load.send_phase()
            load.phases["send_s"] = time.monotonic() - t
            load.phases["drain_s"] = await load.drain()
            load.phases["run_s"] = time.monotonic() - t
            cpu_after, host_after = resource.getrusage(resource.RUSAGE_SELF), cpu_times()
            stack_cpu = Counter()
            for key, seconds in stack.cpu().items():
                used = seconds - stack_cpu_before.get(key, 0.0)
                stack_cpu[key.rsplit(":", 1)[-1]] += used  # sandboxes summed by function binary
            load.stack_cpu = {k: round(v, 2) for k, v in sorted(stack_cpu.items(), key=lambda kv: -kv[1]) if v >= 0.05}
            faults_after = await stack.faults(http, targets)
            journal_after = await journal(http, load.control)
            summary = report(args, load, logs, faults_before, faults_after, invocations_before, journal_after,
                             cpu_before, cpu_after, busy_pct(host_before, host_after), host_idle_check, stack)
            closed = sum(c.closed_early for c in load.clients)
            if closed:
                summary["socketsClosedEarly"] = closed
        finally:
            await stack.stop()
    summary["wallSeconds"] = round(time.monotonic() - wall, 1)
    if not args.json_only:
        print_summary(summary)
    print(json.dumps(summary, separators=(",", ":")), flush=True)
    return 1 if summary["failures"] else 0


async def journal(http: aiohttp.ClientSession, control: str) -> dict:
    async with http.get(f"{control}/_emulator/journal") as response:
        return await response.json()


def report(args, load: Load, logs: LogCounts, faults_before: dict, faults_after: dict, invocations_before: dict,
           journal_after: dict, cpu_before, cpu_after, host_busy: float | None, host_busy_before: float | None,
           stack: Stack) -> dict:
    tally = load.tally
    sent = list(tally.sent.values())
    acked = [s for s in sent if s.acked_at is not None]
    missing = []
    for s in acked:
        expected = set(s.conversation.members) - {s.sender}
        for index in sorted(expected - s.received):
            missing.append({"cmid": s.cmid, "messageId": s.message_id, "kind": s.kind, "user": load.clients[index].user})
    lost_messages = len({m["cmid"] for m in missing})
    unacked = [{"cmid": s.cmid, "kind": s.kind, "failure": s.failure} for s in sent if s.acked_at is None]
    internal = tally.error_codes.get("internal", 0)
    other_errors = {k: v for k, v in tally.error_codes.items() if k not in ("unavailable", "rate_limited", "internal")}
    metrics, levels, samples, durations = logs.read()
    by_kind = Counter(s.kind for s in sent)
    recipients = sum(len(s.conversation.members) - 1 for s in acked)
    injected = {k: faults_after.get(k, 0) - faults_before.get(k, 0) for k in faults_after}
    invocations = {k: v - invocations_before.get(k, 0) for k, v in journal_after["invocations"].items()
                   if v - invocations_before.get(k, 0)}
    run_s = load.phases["run_s"]
    send_s = load.phases["send_s"]
    journal_errors = [e for e in journal_after["errors"]
                      if not (e["function"] == "ws-authorizer" and e.get("errorMessage") == "Unauthorized")]
    failures = []
    if missing:
        failures.append(f"lost: {len(missing)} deliveries of {lost_messages} messages")
    if tally.duplicates:
        failures.append(f"duplicated: {len(tally.duplicates)} deliveries")
    if tally.misdelivered:
        failures.append(f"misdelivered: {len(tally.misdelivered)}")
    if internal:
        failures.append(f"internal: {internal}")
    if other_errors:
        failures.append(f"errors: {other_errors}")
    if unacked:
        failures.append(f"unacknowledged: {len(unacked)}")
    # Killed sandboxes fail their invocations: API Gateway's error frames and the journal's
    # errors are then the injected fault, not a finding.
    killed = load.kills or len(journal_after.get("kills", []))
    if args.kill_sends and len(journal_after.get("kills", [])) < args.kill_sends:
        failures.append(f"kills: {len(journal_after.get('kills', []))} of the {args.kill_sends} asked for")
    if tally.gateway_errors and not killed:
        failures.append(f"API Gateway error frames: {len(tally.gateway_errors)}")
    if tally.idempotency_breaks:
        failures.append(f"idempotency broken: {len(tally.idempotency_breaks)}")
    if journal_errors and not killed:
        failures.append(f"function errors in the journal: {len(journal_errors)}")
    if journal_after["denials"]:
        failures.append(f"IAM denials: {len(journal_after['denials'])}")
    return {
        "stack": stack.name,
        "config": {"sockets": args.sockets, "groupSize": args.group_size, "pairs": args.pairs, "senders": args.senders,
                   "messagesPerSender": None if args.duration else args.messages, "duration": args.duration,
                   "groupShare": args.group_share, "seed": args.seed, "faults": not args.no_faults,
                   "maxInstances": args.max_instances, "quick": args.quick, "motoAsIs": args.moto_as_is,
                   "killSandboxesEvery": args.kill_sandboxes_every, "emulatorArgs": args.emulator_arg},
        "setup": {"connectSeconds": round(load.phases["connect_s"], 1),
                  "connectsPerSecond": round(len(load.clients) / load.phases["connect_s"], 1),
                  "connectRefusalsRetried": dict(load.connect_failures),
                  "conversationsSeconds": round(load.phases["conversations_s"], 1),
                  "httpStatuses": dict(load.http_calls)},
        "messages": {"sent": len(sent), "group": by_kind["group"], "direct": by_kind["direct"], "acked": len(acked),
                     "unacked": unacked[:10], "attempts": sum(s.attempts for s in sent),
                     "retries": dict(tally.retries), "errorFrames": dict(tally.error_codes),
                     "sendSeconds": round(send_s, 1), "drainSeconds": round(load.phases["drain_s"], 1),
                     "ackedPerSecond": round(len(acked) / send_s, 1) if send_s else None},
        "ackLatency": {"all": latency_figures(tally.ack_latency["group"] + tally.ack_latency["direct"]),
                       "group": latency_figures(tally.ack_latency["group"]),
                       "direct": latency_figures(tally.ack_latency["direct"])},
        "deliveryLatency": {"all": latency_figures(tally.delivery_latency["group"] + tally.delivery_latency["direct"]),
                            "group": latency_figures(tally.delivery_latency["group"]),
                            "direct": latency_figures(tally.delivery_latency["direct"])},
        "deliveries": {"expected": recipients, "received": tally.expected_received, "frames": tally.deliveries,
                       "perSecond": round(tally.deliveries / run_s, 1) if run_s else None,
                       "perMessageAtClients": round(tally.deliveries / len(acked), 1) if acked else None,
                       "lost": len(missing), "lostMessages": lost_messages, "lostSample": missing[:10],
                       "duplicated": len(tally.duplicates), "duplicatedSample": tally.duplicates[:10],
                       "misdelivered": len(tally.misdelivered), "misdeliveredSample": tally.misdelivered[:10],
                       "foreign": tally.foreign},
        "server": {"metrics": metrics,
                   "pushesPerMessage": round(metrics.get("Deliveries", 0) / metrics["MessagesSent"], 1)
                   if metrics.get("MessagesSent") else None,
                   "invocations": invocations, "invocationDurations": durations, "logLevels": levels, "logSamples": samples,
                   "journalErrors": journal_errors[:10], "iamDenials": journal_after["denials"][:10]},
        "faultsInjected": {"duringSend": injected, "total": faults_after, "sandboxKills": load.kills},
        "otherFrames": dict(tally.other_frames), "gatewayErrors": len(tally.gateway_errors),
        "gatewayErrorFrames": tally.gateway_errors[:5],
        "idempotencyBreaks": tally.idempotency_breaks[:5],
        "cpu": {"loadClientSeconds": round((cpu_after.ru_utime + cpu_after.ru_stime)
                                           - (cpu_before.ru_utime + cpu_before.ru_stime), 1),
                "hostBusyPctDuringRun": host_busy, "hostBusyPctBefore": host_busy_before,
                "stackSeconds": load.stack_cpu},
        "internal": internal,
        "failures": failures,
    }


def print_summary(s: dict) -> None:
    m, d, a, dl = s["messages"], s["deliveries"], s["ackLatency"], s["deliveryLatency"]

    def lat(x: dict) -> str:
        return f"p50 {x['p50_ms']} / p99 {x['p99_ms']} / max {x['max_ms']} ms (n={x['n']})"

    c = s["config"]
    print()
    print(f"== Missive load on the deployed topology ({s['stack']}) ==")
    print(f"config: {c['sockets']} sockets, group of {c['groupSize']}, {c['pairs']} pairs, {c['senders']} senders, "
          f"{'%s messages each' % c['messagesPerSender'] if c['messagesPerSender'] is not None else '%s s' % c['duration']}, "
          f"group share {c['groupShare']}, faults {'on' if c['faults'] else 'off'}, seed {c['seed']}")
    st = s["setup"]
    print(f"setup: {st['connectSeconds']} s to connect ({st['connectsPerSecond']}/s, refusals retried "
          f"{st['connectRefusalsRetried'] or 0}), {st['conversationsSeconds']} s for the conversations; "
          f"HTTP statuses {st['httpStatuses']}")
    print(f"messages: {m['sent']} sent ({m['group']} group, {m['direct']} direct), {m['acked']} acked, "
          f"{m['attempts']} attempts, retries {m['retries'] or 0}, error frames {m['errorFrames'] or 0}; "
          f"{m['sendSeconds']} s sending ({m['ackedPerSecond']} acked/s), {m['drainSeconds']} s draining")
    print(f"ack latency:      all {lat(a['all'])}")
    print(f"                  group {lat(a['group'])}; direct {lat(a['direct'])}")
    print(f"delivery latency: all {lat(dl['all'])}")
    print(f"                  group {lat(dl['group'])}; direct {lat(dl['direct'])}")
    print(f"deliveries: {d['received']}/{d['expected']} expected received, {d['frames']} message.new frames "
          f"({d['perMessageAtClients']} per message at the clients, {d['perSecond']}/s); server pushes per message "
          f"{s['server']['pushesPerMessage']} (EMF {s['server']['metrics']})")
    print(f"lost {d['lost']} (of {d['lostMessages']} messages), duplicated {d['duplicated']}, "
          f"misdelivered {d['misdelivered']}, internal {s['internal']}")
    print(f"faults injected while sending: {s['faultsInjected']['duringSend'] or 0} "
          f"(whole run: {s['faultsInjected']['total'] or 0}); sandbox kills {s['faultsInjected']['sandboxKills']}")
    if s["gatewayErrorFrames"]:
        print(f"API Gateway error frames: {s['gatewayErrors']}, e.g. {s['gatewayErrorFrames'][0]}")
    print(f"invocations while sending: {s['server']['invocations']}")
    for name, figures in sorted(s["server"]["invocationDurations"].items()):
        print(f"  {name} durations: {lat(figures)}")
    if s["server"]["logLevels"]:
        print(f"function log lines: {s['server']['logLevels']}")
        for line in s["server"]["logSamples"][:5]:
            print(f"  {line}")
    if s["otherFrames"]:
        print(f"other frames: {s['otherFrames']}")
    print(f"cpu: load client {s['cpu']['loadClientSeconds']} s; host busy {s['cpu']['hostBusyPctDuringRun']} % "
          f"while sending ({s['cpu']['hostBusyPctBefore']} % before starting)")
    print(f"cpu seconds while sending: {s['cpu']['stackSeconds']}")
    print(f"wall time {s['wallSeconds']} s")
    for sample, name in ((d["lostSample"], "lost"), (d["duplicatedSample"], "duplicated"),
                         (d["misdeliveredSample"], "misdelivered"), (m["unacked"], "unacked")):
        for item in sample[:5]:
            print(f"  {name}: {item}")
    print("FAILED: " + "; ".join(s["failures"]) if s["failures"] else "OK: nothing lost, duplicated or internal")


async def guarded(args: argparse.Namespace) -> int:
    """The run, cancelled by SIGINT or SIGTERM: the stack is stopped either way."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        return await run(args)
    except asyncio.CancelledError:
        print("interrupted", flush=True)
        return 130


def main() -> int:
    if sys.argv[1:2] == ["--serve-moto"]:
        serve_moto(sys.argv[2:])
        return 0
    return asyncio.run(guarded(arguments()))


if __name__ == "__main__":
    sys.exit(main())
