"""The HTTP API as API Gateway runs it: `http://host:port/{stage}/…` (no prefix on `$default`).

Each request is matched to the template's routes (exact paths before `{param}` before `{proxy+}`,
then `$default`; no match: 404 `{"message":"Not Found"}`), turned into the payload format 2.0
event (rawPath with the stage, rawQueryString, cookies, lower-case headers with repeats joined
by commas, pathParameters, requestContext…), and the function's answer back into HTTP
(statusCode, headers, cookies, body, isBase64Encoded; a bare JSON value is a 200 with it as
body). A function error is a 500 `{"message":"Internal Server Error"}`, and so is an invocation
Lambda refused for lack of concurrency (API Gateway retries none).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from urllib.parse import parse_qsl, unquote

from aiohttp import web
from multidict import CIMultiDict

from .runtime import LambdaFunction
from .template import ACCOUNT
from .topology import HttpApi, HttpRoute, Topology

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
              "application/x-www-form-urlencoded", "+json", "+xml")


def _match(route: HttpRoute, method: str, path: str) -> dict | None:
    """The path parameters when `route` takes this request, else None."""
    if route.method not in ("ANY", method):
        return None
    pattern, segments = route.path.strip("/").split("/"), path.strip("/").split("/")
    params = {}
    for i, part in enumerate(pattern):
        if part.startswith("{") and part.endswith("+}"):
            rest = "/".join(segments[i:])
            if not rest:
                return None
            params[part[1:-2]] = unquote(rest)
            return params
        if i >= len(segments):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not segments[i]:
                return None
            params[part[1:-1]] = unquote(segments[i])
        elif part != segments[i]:
            return None
    return params if len(segments) == len(pattern) else None


def _specificity(route: HttpRoute) -> tuple:
    parts = route.path.strip("/").split("/")
    greedy = any(p.endswith("+}") for p in parts)
    literals = sum(not p.startswith("{") for p in parts)
    return (not greedy, literals, route.method != "ANY")


class HttpServer:
    def __init__(self, api: HttpApi, topology: Topology, lambdas: dict[str, LambdaFunction]):
        self.api = api
        self.topology = topology
        self.lambdas = lambdas
        self.ordered = sorted((r for r in api.routes if r.path != "$default"), key=_specificity, reverse=True)
        self.default = next((r for r in api.routes if r.path == "$default"), None)

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self.handle)

    @staticmethod
    def _not_found() -> web.Response:
        return web.json_response({"message": "Not Found"}, status=404)

    async def handle(self, request: web.Request) -> web.Response:
        raw_path, _, raw_query = request.raw_path.partition("?")
        route_path = raw_path
        if self.api.stage != "$default":
            prefix = f"/{self.api.stage}"
            if raw_path != prefix and not raw_path.startswith(prefix + "/"):
                return self._not_found()
            route_path = raw_path[len(prefix):] or "/"
        route, params = None, None
        for candidate in self.ordered:
            params = _match(candidate, request.method, route_path)
            if params is not None:
                route = candidate
                break
        if route is None:
            route, params = self.default, {}
        if route is None:
            return self._not_found()
        source = self.topology.execute_api_arn(self.api.api_id, f"{self.api.stage}/{request.method}{route_path}")
        if not self.topology.may_invoke(route.function, "apigateway.amazonaws.com", source):
            return web.json_response({"message": "Internal Server Error"}, status=500)
        if route.payload_version != "2.0":
            return web.json_response({"message": f"payload format {route.payload_version} is not emulated"}, status=500)
        event = await self._event(request, route, params, raw_path, raw_query)
        result = await self.lambdas[route.function.logical].invoke(event, f"http {request.method} {raw_path}")
        if not result.ok:
            return web.json_response({"message": "Internal Server Error"}, status=500)
        return self._response(result.json())

    async def _event(self, request: web.Request, route: HttpRoute, params: dict, raw_path: str, raw_query: str) -> dict:
        now = int(time.time() * 1000)
        request_id = base64.b64encode(secrets.token_bytes(12)).decode()
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for name, value in request.headers.items():
            name = name.lower()
            if name == "cookie":
                cookies += [c.strip() for c in value.split(";") if c.strip()]
                continue
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        headers.update({"x-forwarded-for": request.remote or "127.0.0.1",
                        "x-forwarded-port": str(request.url.port or 80), "x-forwarded-proto": request.scheme,
                        "x-amzn-trace-id": f"Root=1-{now // 1000:08x}-{secrets.token_hex(12)}"})
        query: dict[str, str] = {}
        for k, v in parse_qsl(raw_query, keep_blank_values=True):
            query[k] = f"{query[k]},{v}" if k in query else v
        body = await request.read()
        content_type = request.headers.get("Content-Type", "")
        text = not content_type or any(t in content_type for t in TEXT_TYPES)
        event = {
            "version": "2.0",
            "routeKey": route.key,
            "rawPath": raw_path,
            "rawQueryString": raw_query,
            "headers": headers,
            "requestContext": {
                "accountId": ACCOUNT, "apiId": self.api.api_id, "domainName": request.host,
                "domainPrefix": request.host.split(".")[0].split(":")[0],
                "http": {"method": request.method, "path": raw_path, "protocol": f"HTTP/{request.version.major}.{request.version.minor}",
                         "sourceIp": request.remote or "127.0.0.1", "userAgent": request.headers.get("User-Agent", "")},
                "requestId": request_id, "routeKey": route.key, "stage": self.api.stage,
                "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now / 1000)), "timeEpoch": now,
            },
            "isBase64Encoded": False,
        }
        if cookies:
            event["cookies"] = cookies
        if query:
            event["queryStringParameters"] = query
        if params:
            event["pathParameters"] = params
        if body:
            try:
                event["body"] = body.decode() if text else None
            except UnicodeDecodeError:
                event["body"] = None
            if event["body"] is None:
                event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        return event

    @staticmethod
    def _response(answer) -> web.Response:
        if not (isinstance(answer, dict) and "statusCode" in answer):
            # Payload format 2.0 without a statusCode: the value is the body of a 200.
            body = answer if isinstance(answer, str) else json.dumps(answer)
            return web.Response(status=200, text=body, content_type="application/json")
        try:
            status = int(answer["statusCode"])
            headers = CIMultiDict((k, str(v)) for k, v in (answer.get("headers") or {}).items())
            for cookie in answer.get("cookies") or []:
                headers.add("Set-Cookie", cookie)
            body = answer.get("body") or ""
            payload = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
        except (TypeError, ValueError, AttributeError):
            return web.json_response({"message": "Internal Server Error"}, status=500)
        headers.setdefault("apigw-requestid", base64.b64encode(secrets.token_bytes(6)).decode())
        return web.Response(status=status, body=payload, headers=headers)
