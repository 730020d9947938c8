"""The WebSocket API as API Gateway runs it: `ws://host:port/{stage}?token=…`.

$connect: the identity sources must be present (401 otherwise), the REQUEST authorizer decides
(its error "Unauthorized" → 401, a Deny or no matching Allow → 403, anything else → 500), then
the $connect integration (a non-2xx status refuses the handshake with that status; a function
error 502; Lambda refusing the invocation — a throttle — 500, as API Gateway answers an
invocation the Lambda API rejected). Only after $connect succeeded does the connection exist
for @connections (a push during $connect is 410).

Frames: route selection on `$request.body.action` (the routes of the template, else $default),
one integration call per frame (concurrently, as API Gateway does), the authorizer's context in
every event. A function's answer reaches the client only on a route with a route response
(two-way); an integration failure (a function error, a throttle) sends API Gateway's
`{"message": "Internal server error"}`. API Gateway retries no invocation: a throttled
$disconnect is lost.
Frames over 32 KB close the socket with 1009; idle and maximum lifetimes close it with 1001.

@connections (called through each function's egress, after its IAM check): POST sends a frame
(200; 410 GoneException for an unknown connection; 413 over 128 KB), DELETE closes (204), GET
describes the connection.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from .iam import _pattern
from .runtime import LambdaFunction, Result
from .topology import Topology, WebSocketApi

FRAME_LIMIT = 32 * 1024
PAYLOAD_LIMIT = 128 * 1024
INTEGRATION_TIMEOUT = 29


def _now_ms() -> int:
    return int(time.time() * 1000)


def _request_time(ms: int) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(ms / 1000))


def _iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def _request_id() -> str:
    return base64.b64encode(secrets.token_bytes(6)).decode()


@dataclass
class Connection:
    id: str
    ws: web.WebSocketResponse
    connected_at: int
    source_ip: str
    user_agent: str
    domain: str
    authorizer: dict | None
    last_active: int = field(default_factory=_now_ms)
    gone: bool = False


class WebSocketServer:
    def __init__(self, api: WebSocketApi, topology: Topology, lambdas: dict[str, LambdaFunction],
                 idle_timeout: float, max_lifetime: float):
        self.api = api
        self.topology = topology
        self.lambdas = lambdas
        self.idle_timeout = idle_timeout
        self.max_lifetime = max_lifetime
        self.connections: dict[str, Connection] = {}
        self.tasks: set[asyncio.Task] = set()
        self.disconnecting = 0  # $disconnect calls under way

    def routes(self, app: web.Application) -> None:
        app.router.add_get(f"/{self.api.stage}", self.upgrade)

    def _lambda(self, route_key: str) -> LambdaFunction:
        return self.lambdas[self.api.routes[route_key].function.logical]

    def _context(self, connection_id: str, route_key: str, event_type: str, connected_at: int,
                 source_ip: str, user_agent: str, domain: str, **extra) -> dict:
        now = _now_ms()
        context = {
            "routeKey": route_key, "eventType": event_type, "extendedRequestId": _request_id(),
            "requestTime": _request_time(now), "messageDirection": "IN", "stage": self.api.stage,
            "connectedAt": connected_at, "requestTimeEpoch": now,
            "identity": {"userAgent": user_agent, "sourceIp": source_ip},
            "requestId": _request_id(), "domainName": domain, "connectionId": connection_id, "apiId": self.api.api_id,
        }
        context.update(extra)
        return context

    def _source_arn(self, route_key: str) -> str:
        return self.topology.execute_api_arn(self.api.api_id, f"{self.api.stage}/{route_key}")

    # ------------------------------------------------------------------ $connect
    async def upgrade(self, request: web.Request) -> web.StreamResponse:
        connection_id = base64.b64encode(secrets.token_bytes(11)).decode()
        connected_at = _now_ms()
        source_ip = request.remote or "127.0.0.1"
        user_agent = request.headers.get("User-Agent", "")
        domain = request.host
        headers: dict[str, str] = {}
        multi_headers: dict[str, list[str]] = {}
        for raw_name, raw_value in request.raw_headers:
            name, value = raw_name.decode(), raw_value.decode(errors="replace")
            headers[name] = value if name not in headers else f"{headers[name]},{value}"
            multi_headers.setdefault(name, []).append(value)
        for name, value in {"X-Amzn-Trace-Id": f"Root=1-{connected_at // 1000:08x}-{secrets.token_hex(12)}",
                            "X-Forwarded-For": source_ip, "X-Forwarded-Port": str(request.url.port or 80),
                            "X-Forwarded-Proto": request.scheme}.items():
            headers[name], multi_headers[name] = value, [value]
        pairs = parse_qsl(request.query_string, keep_blank_values=True)
        query, multi_query = {}, {}
        for k, v in pairs:
            query[k] = v  # API Gateway keeps the last value of a repeated parameter
            multi_query.setdefault(k, []).append(v)
        base = {"headers": headers, "multiValueHeaders": multi_headers}
        if pairs:
            base.update(queryStringParameters=query, multiValueQueryStringParameters=multi_query)

        def context(**extra) -> dict:
            return self._context(connection_id, "$connect", "CONNECT", connected_at, source_ip, user_agent, domain,
                                 **extra)

        route = self.api.routes.get("$connect")
        authorizer_context = None
        if route and route.authorizer:
            refusal, authorizer_context = await self._authorize(route, base, query, headers, context())
            if refusal:
                return refusal
        if route:
            if not self.topology.may_invoke(route.function, "apigateway.amazonaws.com", self._source_arn("$connect")):
                return web.json_response({"message": "Internal server error"}, status=500)
            extra = {"authorizer": authorizer_context} if authorizer_context is not None else {}
            result = await self._call(self._lambda("$connect"), dict(base, requestContext=context(**extra),
                                                                     isBase64Encoded=False), "$connect")
            if not result.ok:
                return web.json_response({"message": "Internal server error"}, status=500 if result.throttled else 502)
            status = int((result.json() or {}).get("statusCode", 200))
            if not 200 <= status < 300:
                message = {401: "Unauthorized", 403: "Forbidden"}.get(status, "Error")
                return web.json_response({"message": message}, status=status)

        # The WebSocket's own size limit is the frame limit; a larger message closes with 1009.
        ws = web.WebSocketResponse(max_msg_size=FRAME_LIMIT, autoping=True)
        await ws.prepare(request)
        connection = Connection(connection_id, ws, connected_at, source_ip, user_agent, domain, authorizer_context)
        self.connections[connection_id] = connection
        watchdog = asyncio.create_task(self._watchdog(connection))
        close_code, reason = 1005, "Client-side close frame status not set"
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._frame(connection, message.data, False)
                elif message.type == WSMsgType.BINARY:
                    self._frame(connection, base64.b64encode(message.data).decode(), True)
                elif message.type == WSMsgType.ERROR:
                    break
        finally:
            watchdog.cancel()
            if ws.close_code is not None:
                close_code, reason = ws.close_code, {1000: "Client-side close frame status set",
                                                      1009: "Message too big"}.get(ws.close_code, reason)
            await self._disconnect(connection, close_code, reason)
        return ws

    async def _authorize(self, route, base: dict, query: dict, headers: dict, context: dict):
        """The REQUEST authorizer: (a refusal response or None, the context for later routes)."""
        authorizer = route.authorizer
        for source in authorizer.identity_sources:
            kind, _, name = source.removeprefix("route.request.").partition(".")
            present = query.get(name) if kind == "querystring" else \
                next((v for k, v in headers.items() if k.lower() == name.lower()), None)
            if not present:
                return web.json_response({"message": "Unauthorized"}, status=401), None
        method_arn = self._source_arn("$connect")
        event = dict(base, type="REQUEST", methodArn=method_arn, stageVariables={}, requestContext=context)
        result = await self._call(self.lambdas[authorizer.function.logical], event, "authorizer")
        if not result.ok:
            if result.error.get("errorMessage") == "Unauthorized":
                return web.json_response({"message": "Unauthorized"}, status=401), None
            return web.json_response({"message": "Internal server error"}, status=500), None
        answer = result.json() or {}
        effects = set()
        for statement in answer.get("policyDocument", {}).get("Statement", []):
            actions = statement.get("Action", [])
            resources = statement.get("Resource", [])
            actions = actions if isinstance(actions, list) else [actions]
            resources = resources if isinstance(resources, list) else [resources]
            if any(_pattern(a, True).fullmatch("execute-api:Invoke") for a in actions) and \
                    any(_pattern(r, False).fullmatch(method_arn) for r in resources):
                effects.add(statement.get("Effect"))
        extra = answer.get("context") or {}
        valid = "principalId" in answer and isinstance(extra, dict) and \
            all(isinstance(v, (str, int, float, bool)) for v in extra.values()) and len(result.payload) <= 8192
        if not valid:
            return web.json_response({"message": "Internal server error"}, status=500), None
        if "Deny" in effects or "Allow" not in effects:
            return web.json_response({"message": "Forbidden"}, status=403), None
        return None, dict(extra, principalId=answer["principalId"])

    async def _call(self, function: LambdaFunction, event: dict, source: str) -> Result:
        """Invokes; past API Gateway's 29 s the caller gets a timeout (the invocation goes on)."""
        invocation = asyncio.ensure_future(function.invoke(event, f"websocket {source}"))
        try:
            return await asyncio.wait_for(asyncio.shield(invocation), INTEGRATION_TIMEOUT)
        except asyncio.TimeoutError:
            return Result(error={"errorType": "IntegrationTimeout", "errorMessage": "Endpoint request timed out"})

    # ------------------------------------------------------------------ frames
    def _frame(self, connection: Connection, body: str, binary: bool) -> None:
        connection.last_active = _now_ms()
        task = asyncio.create_task(self._message(connection, body, binary))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _route_key(self, body: str, binary: bool) -> str | None:
        key = None
        if not binary:
            try:
                action = json.loads(body).get("action")
                key = action if isinstance(action, str) and action in self.api.routes else None
            except (ValueError, AttributeError):
                key = None
        if key is None and "$default" in self.api.routes:
            key = "$default"
        return key

    async def _message(self, connection: Connection, body: str, binary: bool) -> None:
        key = self._route_key(body, binary)
        request_id = _request_id()
        if key is None or key in ("$connect", "$disconnect"):
            await self._send(connection, {"message": "Forbidden", "connectionId": connection.id, "requestId": request_id})
            return
        route = self.api.routes[key]
        if not self.topology.may_invoke(route.function, "apigateway.amazonaws.com", self._source_arn(key)):
            await self._send(connection, {"message": "Internal server error", "connectionId": connection.id,
                                          "requestId": request_id})
            return
        extra = {"messageId": _request_id()}
        if connection.authorizer is not None:
            extra["authorizer"] = connection.authorizer
        context = self._context(connection.id, key, "MESSAGE", connection.connected_at, connection.source_ip,
                                connection.user_agent, connection.domain, **extra)
        context["requestId"] = request_id
        result = await self._call(self._lambda(key), {"requestContext": context, "body": body,
                                                       "isBase64Encoded": binary}, key)
        if not result.ok:
            message = "Endpoint request timed out" if result.error.get("errorType") == "IntegrationTimeout" \
                else "Internal server error"
            await self._send(connection, {"message": message, "connectionId": connection.id, "requestId": request_id})
        elif route.two_way:
            answer = result.json()
            if isinstance(answer, dict) and "body" in answer and answer["body"] is not None:
                await self._send(connection, answer["body"])

    async def _send(self, connection: Connection, frame) -> None:
        if not connection.gone and not connection.ws.closed:
            await connection.ws.send_str(frame if isinstance(frame, str) else json.dumps(frame))

    # ------------------------------------------------------------------ lifetimes, $disconnect
    async def _watchdog(self, connection: Connection) -> None:
        while True:
            await asyncio.sleep(0.2)
            now = _now_ms()
            if (now - connection.last_active) / 1000 > self.idle_timeout or \
                    (now - connection.connected_at) / 1000 > self.max_lifetime:
                await connection.ws.close(code=1001, message=b"Going away")
                return

    async def _disconnect(self, connection: Connection, code: int, reason: str) -> None:
        if connection.gone:
            return
        connection.gone = True
        self.connections.pop(connection.id, None)
        if "$disconnect" not in self.api.routes:
            return
        extra = {"disconnectStatusCode": code, "disconnectReason": reason}
        if connection.authorizer is not None:
            extra["authorizer"] = connection.authorizer
        context = self._context(connection.id, "$disconnect", "DISCONNECT", connection.connected_at,
                                connection.source_ip, connection.user_agent, connection.domain, **extra)
        headers = {"Host": connection.domain, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": ""}
        event = {"headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
                 "requestContext": context, "isBase64Encoded": False}
        self.disconnecting += 1
        try:
            await self._call(self._lambda("$disconnect"), event, "$disconnect")
        finally:
            self.disconnecting -= 1

    # ------------------------------------------------------------------ @connections
    async def manage(self, method: str, stage: str, connection_id: str, body: bytes) -> web.Response:
        connection = self.connections.get(connection_id) if stage == self.api.stage else None
        if connection is None or connection.gone or connection.ws.closed:
            return web.json_response({"message": None}, status=410, headers={"x-amzn-ErrorType": "GoneException"})
        if method == "POST":
            if len(body) > PAYLOAD_LIMIT:
                return web.json_response({"message": "Request entity too large"}, status=413,
                                         headers={"x-amzn-ErrorType": "PayloadTooLargeException"})
            try:
                await connection.ws.send_str(body.decode())
            except UnicodeDecodeError:
                await connection.ws.send_bytes(body)
            except ConnectionResetError:
                return web.json_response({"message": None}, status=410, headers={"x-amzn-ErrorType": "GoneException"})
            return web.Response(status=200)
        if method == "DELETE":
            asyncio.create_task(connection.ws.close(code=1000, message=b""))
            return web.Response(status=204)
        if method == "GET":
            return web.json_response({"connectedAt": _iso(connection.connected_at),
                                      "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
                                      "lastActiveAt": _iso(connection.last_active)})
        return web.json_response({"message": "Forbidden"}, status=403, headers={"x-amzn-ErrorType": "ForbiddenException"})

    async def close_all(self, within: float = 5) -> None:
        """Closes every connection and waits (a while) for their $disconnect calls."""
        await asyncio.gather(*(c.ws.close(code=1001, message=b"Going away") for c in list(self.connections.values())),
                             return_exceptions=True)
        deadline = time.monotonic() + within
        while (self.connections or self.disconnecting) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
