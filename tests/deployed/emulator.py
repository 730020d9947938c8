#!/usr/bin/env python3
"""Runs Missive's Lambda binaries the way template.yaml deploys them, against moto.

    .venv/bin/python tests/deployed/emulator.py --aws-endpoint http://127.0.0.1:5000 \\
        --bin-dir target/debug --param JwtSecret=… --param PlatformKey=… \\
        --param PublicUrl=https://missive.example --param EmailFrom=noreply@missive.example

Prints `HTTP …`, `WS …`, `CONTROL …` and `READY` on stdout; SIGTERM or SIGINT stops everything.
How it works, what it reads and what it does not emulate: tests/deployed/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import random
import re
import secrets
import signal
import string
import sys
from pathlib import Path

from aiohttp import web

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import provision, topology as topo  # noqa: E402
from harness.concurrency import ConcurrencyPool  # noqa: E402
from harness.egress import Egress, SesFaults  # noqa: E402
from harness.faults import Faults, latency_range  # noqa: E402
from harness.http_api import HttpServer  # noqa: E402
from harness.journal import Journal  # noqa: E402
from harness.runtime import LambdaFunction, lambda_environment  # noqa: E402
from harness.schedule import Ticker  # noqa: E402
from harness.sqs_source import QueuePoller  # noqa: E402
from harness.template import Stack, TemplateError, deployable  # noqa: E402
from harness.websocket_api import WebSocketServer  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def pairs(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    name, value = text.split("=", 1)
    return name, value


def arguments() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--aws-endpoint", default=os.environ.get("MISSIVE_TEST_AWS_ENDPOINT"),
                   help="moto's address (default: $MISSIVE_TEST_AWS_ENDPOINT)")
    p.add_argument("--template", type=Path, default=REPO / "template.yaml")
    p.add_argument("--bin-dir", type=Path, default=REPO / "target" / "debug")
    p.add_argument("--param", type=pairs, action="append", default=[], metavar="NAME=VALUE",
                   help="a template parameter (repeatable)")
    p.add_argument("--env", type=pairs, action="append", default=[], metavar="NAME=VALUE",
                   help="TEST ONLY: an environment variable for every function, beyond the template's (repeatable)")
    p.add_argument("--region", default="eu-west-1")
    p.add_argument("--stack-name", default="missive-" + "".join(random.choices(string.ascii_lowercase, k=6)))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--http-port", type=int, default=0)
    p.add_argument("--ws-port", type=int, default=0)
    p.add_argument("--control-port", type=int, default=0)
    p.add_argument("--schedule-every-ms", type=int, help="default: the template's rate")
    p.add_argument("--max-instances", type=int, default=4,
                   help="sandboxes per function on this machine (beyond them an invocation waits)")
    p.add_argument("--account-concurrency", type=int, default=1000,
                   help="Lambda's concurrent executions for the account (default 1000, AWS's usual quota)")
    p.add_argument("--min-unreserved-concurrency", type=int,
                   help="TEST ONLY: the least the reservations must leave unreserved (AWS: 100, or the whole "
                        "limit below that — nothing can be reserved in a smaller account)")
    p.add_argument("--visibility-timeout-cap-secs", type=int,
                   help="TEST ONLY: event sources receive with at most this visibility timeout (the queues' are "
                        "180 s), so that a failed batch comes back quickly")
    p.add_argument("--faults", type=json.loads, metavar="JSON",
                   help="TEST ONLY: faults at start, as POST /_emulator/faults takes them (README)")
    p.add_argument("--push-throttle", type=float, metavar="RATE",
                   help="TEST ONLY: this share of POST @connections answered 429 LimitExceededException")
    p.add_argument("--push-latency-ms", type=latency_range, metavar="MS|LOW-HIGH",
                   help="TEST ONLY: POST @connections delayed this long (or uniformly between LOW and HIGH)")
    p.add_argument("--fault-seed", type=int, default=0, help="the faults' random seed (default 0)")
    p.add_argument("--ws-idle-timeout-secs", type=float, default=600)
    p.add_argument("--ws-max-connection-secs", type=float, default=7200)
    p.add_argument("--ses-identity", action="append", default=[],
                   help="an SES identity verified in the account (default: EmailFrom's domain)")
    p.add_argument("--log-dir", type=Path, default=REPO / "target" / "deployed-logs")
    p.add_argument("--no-warm", action="store_true", help="skip the cold start of every function at startup")
    args = p.parse_args()
    if not args.aws_endpoint:
        p.error("--aws-endpoint (or MISSIVE_TEST_AWS_ENDPOINT) is required")
    if args.visibility_timeout_cap_secs is not None and args.visibility_timeout_cap_secs < 1:
        p.error("--visibility-timeout-cap-secs: 1 or more (0 would hand every record to every poller)")
    return args


def initial_faults(args: argparse.Namespace) -> Faults:
    faults = Faults()
    faults.reseed(args.fault_seed)
    try:
        faults.configure(args.faults or {})
        push = {}
        if args.push_throttle is not None:
            push["throttle"] = args.push_throttle
        if args.push_latency_ms is not None:
            push["latencyMs"] = list(args.push_latency_ms)
        if push:
            faults.configure({"push": push})
    except (ValueError, TypeError) as e:
        raise TemplateError(f"faults: {e}")
    return faults


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def listen(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def rewrite_endpoints(value: str, region: str, targets: dict[str, str]) -> str:
    """An execute-api address of an emulated API → where the emulator serves it (its "DNS")."""
    def one(match: re.Match) -> str:
        return targets.get(f"{match.group(1)}://{match.group(2)}", match.group(0))
    return re.sub(rf"(https|wss)://([a-z0-9]+)\.execute-api\.{re.escape(region)}\.amazonaws\.com", one, value)


async def main() -> int:
    args = arguments()
    loop = asyncio.get_running_loop()
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=64))
    journal = Journal()

    # The template, as CloudFormation would deploy it.
    parameters = dict(args.param)
    try:
        cloudformation, code_uris = deployable(args.template, parameters, args.region,
                                               REPO / "target" / "deployed-templates")
        stack = Stack(cloudformation, parameters, args.region, args.stack_name)
        aws = provision.clients(args.aws_endpoint, args.region)
        identities = args.ses_identity or (
            [provision.sender_identity(stack.parameters["EmailFrom"])] if "EmailFrom" in stack.parameters else [])
        for line in provision.create(stack, aws, identities):
            note(f"note: {line}")
        topology = topo.read(stack, code_uris, REPO, args.bin_dir)
        for line in topology.notes:
            note(f"note: {line}")
        pool = ConcurrencyPool(args.account_concurrency, list(topology.functions.values()),
                               args.min_unreserved_concurrency)
        faults = initial_faults(args)
    except TemplateError as e:
        note(f"TEMPLATE ERROR: {e}")
        return 2

    # The APIs' listeners first: their addresses go into the functions' environments.
    lambdas: dict[str, LambdaFunction] = {}
    runners = []
    targets: dict[str, str] = {}
    http_server = ws_server = None
    if topology.http:
        http_server = HttpServer(topology.http, topology, lambdas)
        app = web.Application(client_max_size=10 * 1024 * 1024)
        http_server.routes(app)
        runner, http_port = await listen(app, args.host, args.http_port)
        runners.append(runner)
        targets[f"https://{topology.http.api_id}"] = f"http://{args.host}:{http_port}"
    if topology.websocket:
        ws_server = WebSocketServer(topology.websocket, topology, lambdas,
                                    args.ws_idle_timeout_secs, args.ws_max_connection_secs)
        app = web.Application()
        ws_server.routes(app)
        runner, ws_port = await listen(app, args.host, args.ws_port)
        runners.append(runner)
        targets[f"wss://{topology.websocket.api_id}"] = f"ws://{args.host}:{ws_port}"

    # Each function: its egress (IAM, then moto or @connections), its environment, its sandboxes.
    egresses = []
    ses_faults = SesFaults()
    overrides = dict(args.env)
    if overrides:
        note(f"note: TEST-ONLY variables, not in the template, given to every function: {sorted(overrides)}")
    reserved = {f.short: f.reserved for f in topology.functions.values() if f.reserved is not None}
    if reserved or args.account_concurrency != 1000:
        note(f"note: account concurrency {args.account_concurrency}, reserved {reserved or 'none'}, "
             f"unreserved {pool.unreserved_limit}")
    if faults.push.throttle or faults.push.latency_ms[1] or faults.kill.rule:
        note(f"note: TEST-ONLY faults: {json.dumps(faults.as_json())}")
    deployments: dict[str, dict] = {}  # CodeDeploy's, for the pre-traffic hooks

    async def invoke(arn: str, payload: bytes) -> web.Response:
        """Lambda's Invoke, for a function calling another (a deploy hook's probes)."""
        problems_before = len(topology.problems)
        function, qualifier = topology.invoked(arn, "an Invoke")
        del topology.problems[problems_before:]
        if function is None:
            return web.json_response({"Message": f"Function not found: {arn}"}, status=404,
                                     headers={"x-amzn-ErrorType": "ResourceNotFoundException"})
        result = await lambdas[function.logical].invoke(payload, "lambda:Invoke", journal_errors=False)
        if result.throttled:
            return web.json_response({"message": "Rate Exceeded."}, status=429,
                                     headers={"x-amzn-ErrorType": "TooManyRequestsException"})
        version = function.aliases.get(qualifier, qualifier) if qualifier else "$LATEST"
        headers = {"X-Amz-Executed-Version": version}
        if not result.ok:
            headers["X-Amz-Function-Error"] = "Unhandled"
            return web.Response(status=200, body=json.dumps(result.error).encode(), headers=headers)
        return web.Response(status=200, body=result.payload or b"null", headers=headers)

    for logical, function in topology.functions.items():
        egress = Egress(function, args.aws_endpoint, args.region, journal,
                        topology.websocket.api_id if topology.websocket else None,
                        ws_server.manage if ws_server else None, set(identities), topology.secrets, ses_faults,
                        faults.push, invoke=invoke, deployments=deployments)
        aws_url = await egress.start()
        egresses.append(egress)
        own = dict(targets)
        if topology.websocket:  # the management API is reached through the function's egress
            own[f"https://{topology.websocket.api_id}"] = aws_url
        env = lambda_environment(function, args.region, aws_url)
        # Not Lambda's either: a browser posts files to S3 itself, not through a function's
        # egress; here S3 is moto, where the tests reach it.
        env["MISSIVE_FILES_PUBLIC_ENDPOINT"] = args.aws_endpoint
        env.update({k: rewrite_endpoints(v, args.region, own) for k, v in function.env.items()})
        env.update(overrides)
        lambdas[logical] = LambdaFunction(function, env, args.log_dir, args.max_instances, journal,
                                          egress=egress, pool=pool, kills=faults.kill)

    # Control: what tests need and AWS has no API for.
    try:
        tickers = [Ticker(s, lambdas[s.function.logical], args.region, args.schedule_every_ms) for s in topology.schedules]
    except TemplateError as e:
        note(f"TEMPLATE ERROR: {e}")
        await shut_down([], None, lambdas, egresses, runners)
        return 2
    control = web.Application()
    control.router.add_get("/_emulator/journal",
                           lambda r: web.json_response(dict(journal.as_json(), concurrency=pool.as_json())))
    control.router.add_get("/_emulator/stack", lambda r: web.json_response(describe(stack, topology)))

    async def fire(request: web.Request) -> web.Response:
        wanted = request.query.get("function")  # one function's schedules (its crate: canary), or all
        chosen = [t for t in tickers if wanted in (None, t.schedule.function.short)]
        results = await asyncio.gather(*(t.fire() for t in chosen))
        return web.json_response([{"ok": r.ok, "payload": r.json() if r.ok else r.error} for r in results])

    async def kill(request: web.Request) -> web.Response:
        for lam in lambdas.values():
            lam.stop()
        return web.json_response({"killed": True})

    async def ses_failures(request: web.Request) -> web.Response:
        if request.method == "POST":
            wanted = await request.json()
            ses_faults.next = int(wanted.get("next", ses_faults.next))
            ses_faults.always = bool(wanted.get("always", ses_faults.always))
        return web.json_response({"next": ses_faults.next, "always": ses_faults.always})

    async def set_faults(request: web.Request) -> web.Response:
        if request.method == "POST":
            try:
                faults.configure(await request.json())
            except (ValueError, TypeError) as e:
                return web.json_response({"error": str(e)}, status=400)
            note(f"note: faults now {json.dumps(faults.as_json())}")
        return web.json_response(faults.as_json())

    control.router.add_post("/_emulator/schedules/fire", fire)
    control.router.add_post("/_emulator/sandboxes/kill", kill)
    control.router.add_route("*", "/_emulator/ses/failures", ses_failures)
    control.router.add_route("*", "/_emulator/faults", set_faults)
    runner, control_port = await listen(control, args.host, args.control_port)
    runners.append(runner)

    if not args.no_warm:
        warmed = await asyncio.gather(*(lam.warm() for lam in lambdas.values()), return_exceptions=True)
        failures = [str(w) for w in warmed if isinstance(w, Exception)]
        if failures:
            for failure in failures:
                note(f"COLD START FAILED: {failure}")
            await shut_down([], None, lambdas, egresses, runners)
            return 3
    # The deploy, as CodeDeploy runs it for the aliases' UpdatePolicy: one deployment per
    # alias, each running its pre-traffic hook before any traffic; their verdicts decide.
    # CloudFormation updates the aliases together; a hook and its probe take two unreserved
    # executions, so at most half the unreserved pool's deployments run at once (all eight on
    # an account's 1,000; two on the stressed stack's 4, which AWS itself would not allow).
    at_once = asyncio.Semaphore(max(1, pool.unreserved_limit // 2))

    async def deploy(hook, target):
        async with at_once:
            return await run_deploy_hook(hook, target, lambdas[hook.function.logical], deployments)
    for hook in topology.deploy_hooks:
        verdicts = await asyncio.gather(*(deploy(hook, target) for target in hook.targets))
        failed = [f"{target.function.logical} ({target.group}): {verdict}"
                  for target, verdict in zip(hook.targets, verdicts) if verdict != "Succeeded"]
        if failed:
            note(f"DEPLOY ROLLED BACK: the pre-traffic hook {hook.function.logical} failed "
                 f"{len(failed)} of {len(hook.targets)} deployments: {'; '.join(failed)} "
                 f"(its log: {args.log_dir / (hook.function.short + '.log')})")
            await shut_down([], None, lambdas, egresses, runners)
            return 4
        note(f"note: pre-traffic hook {hook.function.logical}: Succeeded, for {len(hook.targets)} deployments")
    pollers = [QueuePoller(source, lambdas[source.function.logical], aws["sqs"], args.region, args.max_instances,
                           args.visibility_timeout_cap_secs)
               for source in topology.event_sources]
    for worker in pollers + tickers:
        worker.start()

    if topology.http:
        print(f"HTTP http://{args.host}:{http_port}" + ("" if topology.http.stage == "$default" else f"/{topology.http.stage}"))
    if topology.websocket:
        print(f"WS ws://{args.host}:{ws_port}/{topology.websocket.stage}")
    print(f"CONTROL http://{args.host}:{control_port}")
    print(f"STACK {stack.stack_name}")
    print("READY", flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await shut_down(pollers + tickers, ws_server, lambdas, egresses, runners)
    return 0


async def run_deploy_hook(hook, target, function: LambdaFunction, deployments: dict[str, dict]) -> str:
    """Invokes a BeforeAllowTrafficHook for `target`'s deployment as CodeDeploy does (its
    deployment id and lifecycle execution id; ListDeploymentTargets and GetDeploymentTarget
    say what it moves) and answers the status it reported with
    PutLifecycleEventHookExecutionStatus: `Succeeded`, `Failed`, or what went wrong when it
    reported nothing."""
    deployment_id = "d-" + secrets.token_hex(5).upper()
    execution = secrets.token_hex(16)
    deployments[deployment_id] = {"application": hook.application, "group": target.group,
                                  "execution": execution, "status": None,
                                  "target": {"functionName": target.function.name, "functionAlias": target.alias,
                                             "currentVersion": target.version, "targetVersion": target.version,
                                             "targetVersionWeight": 0.0}}
    event = {"DeploymentId": deployment_id, "LifecycleEventHookExecutionId": execution}
    result = await function.invoke(event, "codedeploy:BeforeAllowTraffic")
    status = deployments[deployment_id]["status"]
    if status is None:
        return f"nothing (its invocation: {result.payload or result.error})"
    return status


async def shut_down(workers, ws_server, lambdas, egresses, runners) -> None:
    """As a stack going away: no more polling or schedules, every socket closed (their
    $disconnect run), then the sandboxes, the egresses and the listeners."""
    for worker in workers:
        worker.stop()
    if ws_server:
        await ws_server.close_all()
    for lam in lambdas.values():
        lam.journal.stopped = True
        lam.stop()
    for egress in egresses:
        await egress.stop()
    for runner in runners:
        await runner.cleanup()


def describe(stack: Stack, topology: topo.Topology) -> dict:
    return {
        "stackName": stack.stack_name,
        "tables": topology.table_names,
        "queues": {q.logical: {"name": q.name, "url": q.url, "arn": q.arn} for q in topology.queues.values()},
        "functions": {f.logical: {"name": f.name, "binary": str(f.binary), "timeout": f.timeout,
                                  "reservedConcurrency": f.reserved}
                      for f in topology.functions.values()},
        "eventSources": [{"queue": e.queue.logical, "function": e.function.logical, "batchSize": e.batch_size,
                          "reportBatchItemFailures": e.report_failures, "maximumConcurrency": e.max_concurrency}
                         for e in topology.event_sources],
        "websocketRoutes": sorted(topology.websocket.routes) if topology.websocket else [],
        "httpRoutes": [r.key for r in topology.http.routes] if topology.http else [],
        "schedules": [{"logical": s.logical, "function": s.function.logical, "everyMs": s.every_ms}
                      for s in topology.schedules],
    }


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
