"""A proxy in front of moto's server that makes it behave more like AWS under load.

1. The guard. On a failed TransactWriteItems moto restores the whole table from a copy taken
   before the transaction, wiping whatever other requests wrote in between, and a concurrent
   read can see half a transaction. Real DynamoDB does neither. The proxy lets one DynamoDB
   request at a time reach moto, so concurrent tests mean what they say.
2. Faults real AWS has and moto never produces, injected on request for one table (or one
   queue), so that concurrently running tests do not disturb each other:
   - a TransactWriteItems cancelled with reason `TransactionConflict` (another transaction
     held one of its items) or `ThrottlingError` (an item's partition was throttled);
   - any other DynamoDB call throttled (`ThrottlingException` or
     `ProvisionedThroughputExceededException`);
   - an SQS send throttled (`ThrottlingException`).
   An injected fault never reaches moto: the request had no effect, as on AWS.
3. SES tenants, which moto lacks (tests/faults/ses_tenants.py): their API, and a send naming a
   tenant refused as SES refuses it (unknown, resources not associated, sending paused).

Control (JSON over HTTP on the proxy's own address):
    POST /__faults  {"table": "t", "transactionConflict": 0.25, "transactionThrottle": 0.05,
                     "throttle": 0.1}             faults for table t (probabilities, 0..1)
    POST /__faults  {"tablePrefix": "p", …}           the same for every table named p…
    POST /__faults  {"queuePrefix": "p", "throttle": 0.1}   sends to queues named p… throttled
    GET  /__faults/stats?target=t                 {"transactionConflict": n, …} injected so far
    GET  /__faults/stats                          the same, summed over every table and queue
    GET  /__ses/tenants                           the SES tenants made, their resources, and the sends
                                                  naming each that were let through to moto

Slow requests (5 s or more, waiting for the guard included) are logged to stderr with what
they were and where the time went: a test that stalls can be told from a moto that did.

Usage: moto_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--port-file FILE]
Loopback only; it stops when killed.
"""

import argparse
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ses_tenants import SesTenants

SLOW_SECONDS = 5.0

DYNAMODB_PREFIX = "DynamoDB_20120810."
SQS_PREFIX = "AmazonSQS."


class Faults:
    """Fault rules by table name or queue-name prefix, and what was injected."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tables = {}
        self.table_prefixes = {}
        self.queues = {}
        self.injected = {}
        self.random = random.Random()

    def configure(self, rule):
        with self.lock:
            if "seed" in rule:
                self.random.seed(rule["seed"])
            if "table" in rule:
                self.tables[rule["table"]] = rule
            elif "tablePrefix" in rule:
                self.table_prefixes[rule["tablePrefix"]] = rule
            elif "queuePrefix" in rule:
                self.queues[rule["queuePrefix"]] = rule
            else:
                raise ValueError("a rule names a table, a tablePrefix or a queuePrefix")

    def draw(self, target, rule, kind):
        """Whether to inject `kind` now, by its probability in `rule`; counted when it is."""
        with self.lock:
            if self.random.random() >= float(rule.get(kind, 0)):
                return False
            counts = self.injected.setdefault(target, {})
            counts[kind] = counts.get(kind, 0) + 1
            return True

    def stats(self, target):
        """What was injected on `target`; without one, the sums over every target."""
        with self.lock:
            if target:
                return dict(self.injected.get(target, {}))
            totals = {}
            for counts in self.injected.values():
                for kind, n in counts.items():
                    totals[kind] = totals.get(kind, 0) + n
            return totals

    def for_table(self, name):
        with self.lock:
            if name in self.tables:
                return self.tables[name]
            for prefix, rule in self.table_prefixes.items():
                if name.startswith(prefix):
                    return rule
        return None

    def for_queue(self, name):
        with self.lock:
            for prefix, rule in self.queues.items():
                if name.startswith(prefix):
                    return rule
        return None


def dynamodb_tables(operation, request):
    """The tables a DynamoDB request touches."""
    if "TableName" in request:
        return [request["TableName"]]
    if operation == "TransactWriteItems":
        # Each table once: the probabilities are per request, not per item.
        return list(dict.fromkeys(next(iter(item.values()))["TableName"] for item in request.get("TransactItems", [])))
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return list(request.get("RequestItems", {}).keys())
    return []


def dynamodb_error(kind, message, **extra):
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{kind}", "message": message, **extra}
    return 400, "application/x-amz-json-1.0", json.dumps(body).encode()


def dynamodb_fault(faults, operation, request):
    """The error answer to inject for this DynamoDB request, if any."""
    for table in dynamodb_tables(operation, request):
        rule = faults.for_table(table)
        if rule is None:
            continue
        if operation == "TransactWriteItems":
            for kind, code in (("transactionConflict", "TransactionConflict"), ("transactionThrottle", "ThrottlingError")):
                if faults.draw(table, rule, kind):
                    items = request.get("TransactItems", [])
                    hit = faults.random.randrange(len(items)) if items else 0
                    reasons = [{"Code": "None"} for _ in items]
                    if reasons:
                        reasons[hit] = {"Code": code, "Message": f"{code} on an item of the transaction"}
                    codes = ", ".join(r["Code"] for r in reasons)
                    return dynamodb_error(
                        "TransactionCanceledException",
                        f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
                        CancellationReasons=reasons,
                    )
        if faults.draw(table, rule, "throttle"):
            kind = faults.random.choice(["ThrottlingException", "ProvisionedThroughputExceededException"])
            return dynamodb_error(kind, "Throughput exceeds the current capacity of your table or index.")
    return None


# What the functions call; the emulator's own polling (ReceiveMessage, DeleteMessage…) is
# left alone.
SQS_SENDS = {"SendMessage", "SendMessageBatch"}


def sqs_fault(faults, operation, request):
    if operation not in SQS_SENDS:
        return None
    url = request.get("QueueUrl", "")
    name = url.rstrip("/").rsplit("/", 1)[-1] or request.get("QueueName", "")
    rule = faults.for_queue(name)
    if rule is not None and faults.draw(name, rule, "throttle"):
        body = {"__type": "com.amazonaws.sqs#ThrottlingException", "message": "Rate exceeded"}
        return 400, "application/x-amz-json-1.0", json.dumps(body).encode()
    return None


class Upstream(threading.local):
    """One keep-alive connection to moto per proxy thread."""

    def __init__(self, host, port):
        self.host, self.port, self.connection = host, port, None

    def forward(self, method, path, headers, body):
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, ConnectionError):
                # moto closed an idle connection: open another, once.
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "upgrade"}


def handler_for(upstream_url, faults, ses_tenants):
    parsed = urllib.parse.urlparse(upstream_url)
    upstream = Upstream(parsed.hostname, parsed.port)
    dynamodb_guard = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body are separate writes: with Nagle's algorithm the body waits
        # for the client's delayed ACK, 40 ms a request.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def answer(self, status, content_type, body, headers=()):
            self.send_response(status)
            for name, value in headers:
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-type":
                    self.send_header(name, value)
            self.send_header("Content-Type", content_type)
            if self.command == "HEAD":
                # A HEAD answer has no body but the length of the one a GET would have (S3's
                # HeadObject is how a file's size is read).
                length = dict((k.lower(), v) for k, v in headers).get("content-length", "0")
                self.send_header("Content-Length", length)
                self.end_headers()
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def control(self, body):
            if self.command == "POST" and self.path == "/__faults":
                try:
                    faults.configure(json.loads(body or b"{}"))
                except (ValueError, TypeError, AttributeError) as e:
                    return self.answer(400, "application/json", json.dumps({"error": str(e)}).encode())
                return self.answer(200, "application/json", b"{}")
            if self.command == "GET" and self.path == "/__ses/tenants":
                return self.answer(200, "application/json", json.dumps(ses_tenants.as_json()).encode())
            if self.command == "GET" and self.path.startswith("/__faults/stats"):
                query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                stats = faults.stats(query.get("target", [""])[0])
                return self.answer(200, "application/json", json.dumps(stats).encode())
            return self.answer(404, "application/json", b'{"error":"unknown control route"}')

        def relay(self):
            body = self.body()
            if self.path.startswith("/__faults") or self.path.startswith("/__ses"):
                return self.control(body)
            answered = ses_tenants.handle(self.command, self.path, self.headers, body)
            if answered is not None:
                status, payload, extra = answered
                return self.answer(status, "application/json", payload, extra)
            target = self.headers.get("X-Amz-Target", "")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Content-Length"] = str(len(body))
            fault = None
            if target.startswith(DYNAMODB_PREFIX) or target.startswith(SQS_PREFIX):
                try:
                    request = json.loads(body or b"{}")
                except ValueError:
                    request = {}
                if target.startswith(DYNAMODB_PREFIX):
                    fault = dynamodb_fault(faults, target[len(DYNAMODB_PREFIX):], request)
                else:
                    fault = sqs_fault(faults, target[len(SQS_PREFIX):], request)
            if fault is not None:
                return self.answer(*fault)
            asked = time.monotonic()
            if target.startswith(DYNAMODB_PREFIX):
                with dynamodb_guard:
                    guarded = time.monotonic()
                    status, response_headers, response = upstream.forward(self.command, self.path, headers, body)
            else:
                guarded = asked
                status, response_headers, response = upstream.forward(self.command, self.path, headers, body)
            done = time.monotonic()
            if done - asked >= SLOW_SECONDS:
                what = target or f"{self.command} {self.path.split('?')[0]}"
                print(f"SLOW {what}: {done - asked:.1f} s ({guarded - asked:.1f} s waiting for the DynamoDB guard, "
                      f"{done - guarded:.1f} s in moto) -> {status}", file=sys.stderr, flush=True)
            content_type = dict((k.lower(), v) for k, v in response_headers).get("content-type", "text/plain")
            self.answer(status, content_type, response, response_headers)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = relay

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="moto's address, http://127.0.0.1:PORT")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", help="where to write the port listened on")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(args.upstream, Faults(), SesTenants()))
    server.daemon_threads = True
    if args.port_file:
        with open(args.port_file, "w") as f:
            f.write(str(server.server_address[1]))
    print(f"moto proxy on http://127.0.0.1:{server.server_address[1]} -> {args.upstream}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
