"""Each function's way out to AWS: its AWS_ENDPOINT_URL (and its WebSocket management endpoint)
point here. A request is named in IAM terms from its signing service and content, checked
against the function's role, then passed to moto unchanged — or, for the @connections API, to
the emulated WebSocket API. A denied call gets the service's AccessDenied error, as on AWS.

Each sandbox gets an address of its own on its function's egress (`open_for`), so that every
call is known to come from one invocation: the sandbox counts it and may be killed there (the
kill fault). Pushes (POST @connections) may be delayed or throttled (the push fault)."""

from __future__ import annotations

import asyncio
import json
from typing import Awaitable, Callable

import aiohttp
import yarl
from aiohttp import web

from . import iam
from .faults import PushFaults
from .journal import Journal
from .topology import Function

HOP_BY_HOP = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}
Manage = Callable[[str, str, str, bytes], Awaitable[web.Response]]  # method, stage, connection id, body
Invoke = Callable[[str, bytes], Awaitable[web.Response]]  # a function's qualified ARN, the payload


class SesFaults:
    """Test-only: SendEmail calls refused with SES's MailFromDomainNotVerifiedException (what a
    custom MAIL FROM domain whose DNS check failed for a moment gets: a 400 the SDK does not
    retry, so the queue's retry takes over), the next `next` ones or all of them."""

    def __init__(self):
        self.next = 0
        self.always = False
        self.failed: dict[tuple, int] = {}  # (to, subject) → sends refused so far

    def take(self, key: tuple) -> bool:
        if not (self.always or self.next > 0):
            return False
        self.next = max(0, self.next - 1)
        self.failed[key] = self.failed.get(key, 0) + 1
        return True


class Egress:
    def __init__(self, function: Function, moto: str, region: str, journal: Journal,
                 websocket_api_id: str | None, manage: Manage | None, verified_identities: set[str],
                 secrets: dict[str, str], ses_faults: SesFaults, push_faults: PushFaults | None = None,
                 invoke: Invoke | None = None, deployments: dict[str, dict] | None = None):
        self.function = function
        self.moto = moto.rstrip("/")
        self.region = region
        self.journal = journal
        self.websocket_api_id = websocket_api_id
        self.manage = manage
        self.verified = verified_identities
        self.secrets = secrets  # secret names → ARNs, for requests that name a secret
        self.ses_faults = ses_faults
        self.push_faults = push_faults or PushFaults()
        # Lambda's Invoke and CodeDeploy's hook status are the emulator's, not moto's: a deploy's
        # pre-traffic hook invokes the emulated functions and tells the emulated deployment.
        self.invoke = invoke
        self.deployments = deployments if deployments is not None else {}
        self.session: aiohttp.ClientSession | None = None
        self.url = ""
        self.sandboxes: dict[int, tuple[web.TCPSite, object]] = {}  # port → (its site, the sandbox)

    async def start(self) -> str:
        """Listens; answers the function's address (each sandbox is given one of its own)."""
        self.session = aiohttp.ClientSession(auto_decompress=False, timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=16 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self.url

    async def open_for(self, sandbox) -> str:
        """A sandbox's own address (runtime.Sandbox: its `aws_call` hears of each call)."""
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.sandboxes[port] = (site, sandbox)
        return f"http://127.0.0.1:{port}"

    async def close_for(self, sandbox) -> None:
        for port, (site, owner) in list(self.sandboxes.items()):
            if owner is sandbox:
                del self.sandboxes[port]
                if site in self.runner.sites:  # not when the egress itself stopped first
                    await site.stop()

    def _sandbox_of(self, request: web.Request):
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        entry = self.sandboxes.get(sockname[1]) if sockname else None
        return entry[1] if entry else None

    async def stop(self) -> None:
        if self.session:
            await self.session.close()
        await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        service = iam.service_of(request.headers.get("Authorization"))
        wanted = None if service == "execute-api" else self._iam_terms(service, request, body)
        sandbox = self._sandbox_of(request)
        if sandbox is not None:
            name = f"execute-api:{request.method} @connections" if service == "execute-api" else \
                wanted[0][0] if wanted else f"{service}:{request.method} {request.path}"
            if not sandbox.aws_call(name):  # killed: the call never leaves the sandbox
                return web.json_response({"message": "the caller's sandbox is gone"}, status=503)
        if service == "execute-api":
            return await self._connections(request, body)
        if wanted is None:
            self.journal.not_checked(self.function.short, f"{service} {request.method} {request.path}")
        for action, resource in wanted or []:
            if not self.function.role.policy.allows(action, resource):
                self.journal.denial(self.function.short, action, resource)
                return self._access_denied(service, request, action, resource)
        sending = service == "ses" and bool(wanted) and request.path == "/v2/email/outbound-emails"
        if sending and self.ses_faults.take(self._email_key(body)):
            return web.json_response({"message": "The MAIL FROM domain's DNS check failed (injected by the emulator)"},
                                     status=400, headers={"x-amzn-ErrorType": "MailFromDomainNotVerifiedException"})
        if service == "lambda" and wanted and self.invoke is not None:
            return await self.invoke(wanted[0][1], body)
        if service == "codedeploy" and wanted:
            return self._codedeploy(request.headers.get("X-Amz-Target", ""), json.loads(body or b"{}"))
        response = await self._forward(request, body)
        if sending and response.status == 200:
            self._record_email(body, response.body)
        return response

    @staticmethod
    def _email_key(body: bytes) -> tuple:
        sent = json.loads(body)
        to = tuple(sent.get("Destination", {}).get("ToAddresses", []))
        return to, sent.get("Content", {}).get("Simple", {}).get("Subject", {}).get("Data")

    def _iam_terms(self, service: str | None, request: web.Request, body: bytes) -> list[tuple[str, str]] | None:
        target = request.headers.get("X-Amz-Target")
        try:
            if service == "dynamodb" and target:
                return iam.dynamodb_requests(self.region, target, json.loads(body or b"{}"))
            if service == "sqs":
                return iam.sqs_requests(self.region, target, body)
            if service == "secretsmanager" and target:
                return iam.secretsmanager_requests(self.region, target, json.loads(body or b"{}"), self.secrets)
            if service == "s3":
                return iam.s3_requests(request.method, request.path, request.query, body)
            if service == "ses":
                parsed = json.loads(body) if body else {}
                return iam.sesv2_requests(self.region, request.method, request.path, parsed, self.verified)
            if service == "lambda":
                return iam.lambda_invoke_request(self.region, request.method, request.raw_path, request.query)
            if service == "codedeploy":
                return iam.codedeploy_request(self.region, target, json.loads(body or b"{}"), self.deployments)
        except (ValueError, KeyError):
            return None
        return None

    async def _forward(self, request: web.Request, body: bytes) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        url = yarl.URL(self.moto + request.raw_path, encoded=True)
        try:
            async with self.session.request(request.method, url, headers=headers, data=body) as upstream:
                payload = await upstream.read()
                out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}
                return web.Response(status=upstream.status, body=payload, headers=out)
        except aiohttp.ClientError as e:  # moto stopped or restarting: the SDK sees a 503 and retries
            return web.json_response({"message": f"moto unreachable: {e}"}, status=503)

    def _codedeploy(self, target: str, body: dict) -> web.Response:
        """What a pre-traffic hook asks CodeDeploy: what its deployment moves
        (ListDeploymentTargets, GetDeploymentTarget: a Lambda deployment's one target, named by
        its function), and its verdict (PutLifecycleEventHookExecutionStatus)."""
        deployment_id = body.get("deploymentId", "")
        deployment = self.deployments.get(deployment_id)
        if deployment is None:
            return web.json_response({"message": f"no deployment {deployment_id}"}, status=400,
                                     headers={"x-amzn-ErrorType": "DeploymentDoesNotExistException"})
        moved = deployment["target"]
        if target.endswith(".ListDeploymentTargets"):
            return web.json_response({"targetIds": [moved["functionName"]]})
        if target.endswith(".GetDeploymentTarget"):
            if body.get("targetId") != moved["functionName"]:
                return web.json_response({"message": f"no target {body.get('targetId')}"}, status=400,
                                         headers={"x-amzn-ErrorType": "DeploymentTargetDoesNotExistException"})
            return web.json_response({"deploymentTarget": {
                "deploymentTargetType": "LambdaTarget",
                "lambdaTarget": {"deploymentId": deployment_id, "targetId": moved["functionName"],
                                 "status": "InProgress", "lambdaFunctionInfo": moved}}})
        if deployment["execution"] != body.get("lifecycleEventHookExecutionId"):
            return web.json_response({"message": "no such lifecycle hook execution"}, status=400,
                                     headers={"x-amzn-ErrorType": "LifecycleEventHookExecutionIdDoesNotExistException"})
        deployment["status"] = body.get("status")
        return web.json_response({"lifecycleEventHookExecutionId": deployment["execution"]})

    def _record_email(self, request_body: bytes, response_body: bytes) -> None:
        sent = json.loads(request_body)
        simple = sent.get("Content", {}).get("Simple", {})
        self.journal.email(self.function.short, {
            "messageId": json.loads(response_body or b"{}").get("MessageId"),
            "from": sent.get("FromEmailAddress"),
            "to": sent.get("Destination", {}).get("ToAddresses", []),
            "subject": simple.get("Subject", {}).get("Data"),
            "text": simple.get("Body", {}).get("Text", {}).get("Data"),
            "html": simple.get("Body", {}).get("Html", {}).get("Data"),
            "headers": {h["Name"]: h["Value"] for h in simple.get("Headers", [])},
            "configurationSet": sent.get("ConfigurationSetName"),
            "sesTenant": sent.get("TenantName"),
            "attempts": self.ses_faults.failed.get(self._email_key(request_body), 0) + 1,
        })

    async def _connections(self, request: web.Request, body: bytes) -> web.Response:
        parsed = iam.connections_request(self.region, self.websocket_api_id or "?", request.method, request.raw_path)
        if parsed is None or self.manage is None:
            return web.json_response({"message": "Forbidden"}, status=403, headers={"x-amzn-ErrorType": "ForbiddenException"})
        stage, connection_id, arn = parsed
        if not self.function.role.policy.allows("execute-api:ManageConnections", arn):
            self.journal.denial(self.function.short, "execute-api:ManageConnections", arn)
            return self._access_denied("execute-api", request, "execute-api:ManageConnections", arn)
        if request.method == "POST":
            wait, refused = self.push_faults.draw()
            if wait:
                await asyncio.sleep(wait)
            if refused:
                # The management API's throttle: its model's LimitExceededException (httpError 429);
                # the SDK takes the error code from this header.
                return web.json_response({"message": "Limit Exceeded"}, status=429,
                                         headers={"x-amzn-ErrorType": "LimitExceededException"})
        return await self.manage(request.method, stage, connection_id, body)

    def _access_denied(self, service: str | None, request: web.Request, action: str, resource: str) -> web.Response:
        role = self.function.role.name
        message = (f"User: arn:aws:sts::{iam.ACCOUNT}:assumed-role/{role}/{self.function.name} is not authorized "
                   f"to perform: {action} on resource: {resource} because no identity-based policy allows the "
                   f"{action} action")
        if service in ("dynamodb", "sqs") and request.headers.get("X-Amz-Target"):  # the awsJson protocols
            return web.json_response(
                {"__type": "com.amazon.coral.service#AccessDeniedException", "message": message, "Message": message},
                status=400, content_type="application/x-amz-json-1.0",
                headers={"x-amzn-query-error": "AccessDenied;Sender"})
        if service == "sqs":  # the query protocol
            xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
                   "</Error><RequestId>emulated</RequestId></ErrorResponse>")
            return web.Response(status=403, text=xml, content_type="text/xml")
        error_type = "ForbiddenException" if service == "execute-api" else "AccessDeniedException"
        return web.json_response({"message": message}, status=403, headers={"x-amzn-ErrorType": error_type})
