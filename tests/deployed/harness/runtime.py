"""Lambda: each function's sandboxes, each a child process of the real binary talking to its own
Runtime API (GET …/invocation/next, POST …/{id}/response and …/{id}/error, POST …/init/error).

A function keeps warm sandboxes and starts another (a cold start) when all are busy, up to
`max_instances`. A sandbox runs one invocation at a time; one that times out is killed, as Lambda
does, and one whose process exits is replaced on the next invocation. Each function's output goes
to its own log file, with Lambda's START/END/REPORT lines around each invocation.

An invocation first takes a unit of the account's concurrency (concurrency.py): without one it
is throttled and never reaches a sandbox. Each sandbox reaches AWS through an address of its own
on its function's egress, so that the egress knows which invocation makes each call: the kill
fault (faults.py) counts them.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from .concurrency import ConcurrencyPool, Throttled
from .faults import KillFaults, KillRule
from .journal import Journal
from .topology import Function

RUNTIME = "/2018-06-01/runtime"


@dataclass
class Result:
    payload: bytes | None = None  # the function's response, when it succeeded
    error: dict | None = None  # {"errorType", "errorMessage"} when it failed
    throttled: bool = False  # Lambda refused it for lack of concurrency: the function never ran

    @property
    def ok(self) -> bool:
        return self.error is None

    def json(self):
        return json.loads(self.payload) if self.payload else None


class InitFailed(Exception):
    pass


@dataclass
class Invocation:
    id: str
    source: str
    doomed: KillRule | None  # the kill fault's rule, when it is to die at one of its AWS calls
    calls: list[str]  # the AWS calls it made so far, in IAM terms


class Sandbox:
    def __init__(self, owner: "LambdaFunction", index: int):
        self.owner = owner
        self.index = index
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.pending: dict[str, asyncio.Future] = {}
        self.ready = asyncio.Event()
        self.busy = False
        self.process: asyncio.subprocess.Process | None = None
        self.exited: asyncio.Future = asyncio.get_running_loop().create_future()
        self.tail: collections.deque[str] = collections.deque(maxlen=20)
        self.init_error: dict | None = None
        self.killed = False
        self.current: Invocation | None = None

    @property
    def alive(self) -> bool:
        return not self.exited.done() and not self.killed

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(f"{RUNTIME}/invocation/next", self._next)
        app.router.add_post(f"{RUNTIME}/invocation/{{id}}/response", self._response)
        app.router.add_post(f"{RUNTIME}/invocation/{{id}}/error", self._error)
        app.router.add_post(f"{RUNTIME}/init/error", self._init_error)
        self.runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        env = dict(self.owner.env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{port}",
                   AWS_LAMBDA_LOG_STREAM_NAME=time.strftime("%Y/%m/%d/[$LATEST]") + secrets.token_hex(16))
        egress = self.owner.egress
        if egress is not None:  # the function's egress address → this sandbox's own
            own = await egress.open_for(self)
            shared = re.compile(re.escape(egress.url) + r"(?!\d)")
            env = {k: shared.sub(own, v) for k, v in env.items()}
        self.owner.log(f"INIT_START sandbox {self.index} {self.owner.function.binary}")
        self.process = await asyncio.create_subprocess_exec(
            str(self.owner.function.binary), env=env, cwd=str(self.owner.function.binary.parent),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        asyncio.create_task(self._pump(self.process.stdout))
        asyncio.create_task(self._pump(self.process.stderr))
        asyncio.create_task(self._watch())
        ready = asyncio.create_task(self.ready.wait())
        await asyncio.wait([ready, self.exited], return_when=asyncio.FIRST_COMPLETED)
        if not self.ready.is_set():
            ready.cancel()
            detail = (self.init_error or {}).get("errorMessage") or " | ".join(self.tail)
            raise InitFailed(f"{self.owner.function.short} exited during its cold start "
                             f"(status {self.process.returncode}): {detail}")

    async def _pump(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            text = line.decode(errors="replace").rstrip()
            self.tail.append(text)
            self.owner.log(f"[{self.index}] {text}")

    async def _watch(self) -> None:
        status = await self.process.wait()
        self.exited.set_result(status)
        how = f"signal: {'killed' if status == -9 else -status}" if status < 0 else f"exit status {status}"
        error = {"errorType": "Runtime.ExitError",
                 "errorMessage": f"Runtime exited with error: {how}: {' | '.join(self.tail)}"}
        for future in self.pending.values():
            if not future.done():
                future.set_result(Result(error=error))
        await self.runner.cleanup()
        if self.owner.egress is not None:
            await self.owner.egress.close_for(self)
        self.owner.sandbox_gone(self)

    def aws_call(self, name: str) -> bool:
        """An AWS call this sandbox makes through its egress: whether it may go on. A killed
        sandbox makes none; the kill fault kills it here, before its k-th call of an invocation."""
        if not self.alive:
            return False
        invocation = self.current
        if invocation is None:  # the cold start's own calls (its secret) belong to no invocation
            return True
        invocation.calls.append(name)
        if invocation.doomed and KillFaults.due(invocation.doomed, invocation.calls) and self.owner.kills.take():
            self.owner.journal.kill(self.owner.function.short, invocation.source, list(invocation.calls))
            self.owner.log(f"FAULT: sandbox {self.index} killed at AWS call {len(invocation.calls)} ({name}) "
                           f"of RequestId: {invocation.id}")
            self.kill()
            return False
        return True

    # ------------------------------------------------------------------ the Runtime API
    async def _next(self, request: web.Request) -> web.Response:
        self.ready.set()
        invocation_id, payload, deadline_ms = await self.inbox.get()
        trace = f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};" \
                f"Sampled={1 if self.owner.function.tracing else 0}"
        return web.Response(body=payload, content_type="application/json", headers={
            "Lambda-Runtime-Aws-Request-Id": invocation_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.owner.function.arn,
            "Lambda-Runtime-Trace-Id": trace,
        })

    async def _response(self, request: web.Request) -> web.Response:
        self._settle(request.match_info["id"], Result(payload=await request.read()))
        return web.json_response({"status": "OK"}, status=202)

    async def _error(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            error = json.loads(body)
        except ValueError:
            error = {"errorType": request.headers.get("Lambda-Runtime-Function-Error-Type", "Unknown"),
                     "errorMessage": body.decode(errors="replace")}
        self._settle(request.match_info["id"], Result(error=error))
        return web.json_response({"status": "OK"}, status=202)

    async def _init_error(self, request: web.Request) -> web.Response:
        try:
            self.init_error = json.loads(await request.read())
        except ValueError:
            self.init_error = {"errorType": "Runtime.InitError", "errorMessage": "unreadable init error"}
        return web.json_response({"status": "OK"}, status=202)

    def _settle(self, invocation_id: str, result: Result) -> None:
        future = self.pending.get(invocation_id)
        if future and not future.done():
            future.set_result(result)

    # ------------------------------------------------------------------ one invocation
    async def run(self, payload: bytes, source: str) -> Result:
        timeout = self.owner.function.timeout
        invocation_id = str(uuid.uuid4())
        future = asyncio.get_running_loop().create_future()
        self.pending[invocation_id] = future
        self.current = Invocation(invocation_id, source, self.owner.kills.doom(self.owner.function.short, source), [])
        started = time.monotonic()
        self.owner.log(f"START RequestId: {invocation_id} Version: $LATEST (sandbox {self.index})")
        await self.inbox.put((invocation_id, payload, int((time.time() + timeout) * 1000)))
        try:
            result = await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            self.kill()
            # The AWS calls it had made, the last one maybe still waiting: what a stalled run hung on.
            calls = ", ".join(self.current.calls) if self.current else ""
            result = Result(error={"errorType": "Sandbox.Timedout",
                                   "errorMessage": f"Task timed out after {timeout:.2f} seconds "
                                                   f"(its AWS calls: {calls or 'none'})"})
        finally:
            self.pending.pop(invocation_id, None)
            self.current = None
        self.owner.log(f"END RequestId: {invocation_id}")
        self.owner.log(f"REPORT RequestId: {invocation_id} Duration: {(time.monotonic() - started) * 1000:.2f} ms"
                       + ("" if result.ok else f" Status: error {result.error.get('errorType')}"))
        return result

    def kill(self) -> None:
        self.killed = True
        if self.process and self.process.returncode is None:
            self.process.kill()


class LambdaFunction:
    """One function of the template: its environment, its sandboxes, its log file."""

    def __init__(self, function: Function, env: dict[str, str], log_dir: Path, max_instances: int, journal: Journal,
                 egress=None, pool: ConcurrencyPool | None = None, kills: KillFaults | None = None):
        self.function = function
        self.env = env
        self.max_instances = max_instances
        self.journal = journal
        self.egress = egress  # harness.egress.Egress: a sandbox's AWS calls go through it
        self.pool = pool  # None: no concurrency limit
        self.kills = kills or KillFaults()
        self.sandboxes: list[Sandbox] = []
        self.starting = 0
        self.started = 0  # sandboxes ever started: their numbers in the log
        self.changed = asyncio.Condition()
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_file = open(log_dir / f"{function.short}.log", "a", buffering=1)

    def log(self, line: str) -> None:
        self.log_file.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    def sandbox_gone(self, sandbox: Sandbox) -> None:
        self.log(f"sandbox {sandbox.index} ended (status {sandbox.process.returncode})")
        asyncio.create_task(self._notify())

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def _acquire(self) -> Sandbox:
        async with self.changed:
            while True:
                self.sandboxes = [s for s in self.sandboxes if s.alive]
                idle = [s for s in self.sandboxes if not s.busy]
                if idle:
                    idle[0].busy = True
                    return idle[0]
                if len(self.sandboxes) + self.starting < self.max_instances:
                    self.starting += 1
                    break
                await self.changed.wait()
        self.started += 1
        sandbox = Sandbox(self, index=self.started)
        try:
            await sandbox.start()
        except InitFailed:
            sandbox.kill()
            raise
        finally:
            self.starting -= 1
        sandbox.busy = True
        self.sandboxes.append(sandbox)
        return sandbox

    async def warm(self) -> None:
        """Starts one sandbox (a cold start), failing if the binary does not reach its first poll."""
        sandbox = await self._acquire()
        await self._release(sandbox)

    async def _release(self, sandbox: Sandbox) -> None:
        async with self.changed:
            sandbox.busy = False
            self.changed.notify_all()

    async def invoke(self, event, source: str, journal_errors: bool = True) -> Result:
        """A synchronous invocation (RequestResponse) of `event` (JSON-able, or bytes); throttled
        (`Result.throttled`) when the account's concurrency or the function's reservation is spent.
        `journal_errors` False: the caller judges a function error (a deploy hook's probe).
        Past --max-instances busy sandboxes it waits for one: that cap is this machine's, not AWS's."""
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        try:
            if self.pool is not None:
                self.pool.acquire(self.function.short)
        except Throttled as e:
            self.journal.throttle(self.function.short, source)
            return Result(error=e.error, throttled=True)
        try:
            self.journal.invocations[self.function.short] += 1
            try:
                sandbox = await self._acquire()
            except InitFailed as e:
                result = Result(error={"errorType": "Runtime.ExitError", "errorMessage": str(e)})
            else:
                try:
                    result = await sandbox.run(payload, source)
                finally:
                    await self._release(sandbox)
        finally:
            if self.pool is not None:
                self.pool.release(self.function.short)
        if not result.ok and journal_errors:
            self.journal.error(self.function.short, source, result.error)
        return result

    def stop(self) -> None:
        for sandbox in self.sandboxes:
            sandbox.kill()
        self.log_file.flush()


def lambda_environment(function: Function, region: str, aws_endpoint: str) -> dict[str, str]:
    """What Lambda itself puts in a sandbox's environment, beside the template's variables."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "_HANDLER": "bootstrap",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
        # The execution role's credentials; moto takes any.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        # Not Lambda's: every AWS call goes to this function's egress (IAM check, then moto).
        "AWS_ENDPOINT_URL": aws_endpoint,
    }
    if function.log_format == "JSON":
        env.update(AWS_LAMBDA_LOG_FORMAT="JSON", AWS_LAMBDA_LOG_LEVEL="INFO")
    if function.tracing:
        env.update(AWS_XRAY_DAEMON_ADDRESS="169.254.79.129:2000", AWS_XRAY_CONTEXT_MISSING="LOG_ERROR")
    if os.environ.get("MISSIVE_EMULATOR_RUST_BACKTRACE"):
        env["RUST_BACKTRACE"] = "1"
    return env
