"""IAM as the functions meet it: each function's role (its inline policies and the AWS managed
policies SAM attaches) decides which AWS calls it may make; each call is named the way IAM
names it (action, resource ARN) from the request the SDK sends."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote

from .template import ACCOUNT

# The AWS managed policies SAM attaches to function roles, as AWS publishes them.
MANAGED_POLICIES: dict[str, list[dict]] = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole": [
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
    ],
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess": [
        {
            "Effect": "Allow",
            "Action": [
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        }
    ],
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole": [
        {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
    ],
}


def _pattern(glob: str, case_insensitive: bool) -> re.Pattern:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(regex, re.IGNORECASE if case_insensitive else 0)


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


@dataclass
class Policy:
    """A role's statements. `allows` is IAM's evaluation without conditions: an explicit Deny
    wins, then any Allow; nothing is denied by default."""

    statements: list[dict] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # managed policies iam.py does not know

    @classmethod
    def of_role(cls, props: dict, extra_statements: list[dict]) -> "Policy":
        statements, unknown = [], []
        for policy in props.get("Policies", []):
            statements += _listed(policy["PolicyDocument"].get("Statement", []))
        for arn in props.get("ManagedPolicyArns", []):
            if arn in MANAGED_POLICIES:
                statements += MANAGED_POLICIES[arn]
            else:
                unknown.append(arn)
        return cls(statements + extra_statements, unknown)

    @staticmethod
    def _matches(statement: dict, action: str, resource: str) -> bool:
        if "Action" in statement:
            action_ok = any(_pattern(a, True).fullmatch(action) for a in _listed(statement["Action"]))
        else:
            action_ok = not any(_pattern(a, True).fullmatch(action) for a in _listed(statement["NotAction"]))
        if "Resource" in statement:
            resource_ok = any(_pattern(r, False).fullmatch(resource) for r in _listed(statement["Resource"]))
        else:
            resource_ok = not any(_pattern(r, False).fullmatch(resource) for r in _listed(statement["NotResource"]))
        return action_ok and resource_ok

    def allows(self, action: str, resource: str) -> bool:
        matching = [s for s in self.statements if self._matches(s, action, resource)]
        if any(s.get("Effect") == "Deny" for s in matching):
            return False
        return any(s.get("Effect") == "Allow" for s in matching)


# ---------------------------------------------------------------------- requests → IAM terms
def service_of(authorization: str | None) -> str | None:
    """The signing service of a SigV4 request: `Credential=AKID/date/region/SERVICE/aws4_request`."""
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request", authorization or "")
    return match.group(1) if match else None


def lambda_invoke_request(region: str, method: str, raw_path: str, query) -> list[tuple[str, str]] | None:
    """Invoke (`POST /2015-03-31/functions/{name or ARN}/invocations`): lambda:InvokeFunction on
    the function's ARN with its qualifier, as IAM names it."""
    match = re.fullmatch(r"/2015-03-31/functions/([^/]+)/invocations", raw_path.split("?")[0])
    if method != "POST" or not match:
        return None
    name = unquote(match.group(1))
    if query.get("Qualifier"):
        name += f":{query['Qualifier']}"
    arn = name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
    return [("lambda:InvokeFunction", arn)]


CODEDEPLOY_HOOK_ACTIONS = {
    f"CodeDeploy_20141006.{action}": f"codedeploy:{action}"
    for action in ("PutLifecycleEventHookExecutionStatus", "ListDeploymentTargets", "GetDeploymentTarget")
}


def codedeploy_request(region: str, target: str | None, body: dict,
                       deployments: dict[str, dict]) -> list[tuple[str, str]] | None:
    """What a pre-traffic hook calls (its verdict, what its deployment moves): on the
    deployment's deployment group."""
    action = CODEDEPLOY_HOOK_ACTIONS.get(target or "")
    if action is None:
        return None
    deployment = deployments.get(body.get("deploymentId", ""))
    if deployment is None:
        return [(action, "arn:aws:codedeploy:?:?:deploymentgroup:?/?")]
    return [(action, f"arn:aws:codedeploy:{region}:{ACCOUNT}:deploymentgroup:"
                     f"{deployment['application']}/{deployment['group']}")]


def _queue_arn(region: str, url_or_name: str) -> str:
    name = url_or_name.rstrip("/").split("/")[-1]
    return f"arn:aws:sqs:{region}:{ACCOUNT}:{name}"


def _table_arn(region: str, table: str, index: str | None = None) -> str:
    arn = table if table.startswith("arn:") else f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def dynamodb_requests(region: str, target: str, body: dict) -> list[tuple[str, str]]:
    operation = target.split(".")[-1]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table_arn(region, t)) for t in body.get("RequestItems", {})]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        # IAM checks each item's own action (Put → PutItem, ConditionCheck → ConditionCheckItem…).
        out = []
        for item in body.get("TransactItems", []):
            (kind, spec), = item.items()
            action = {"ConditionCheck": "ConditionCheckItem"}.get(kind, f"{kind}Item")
            out.append((f"dynamodb:{action}", _table_arn(region, spec["TableName"])))
        return out
    if "TableName" in body:
        return [(f"dynamodb:{operation}", _table_arn(region, body["TableName"], body.get("IndexName")))]
    return [(f"dynamodb:{operation}", "*")]


_SQS_BATCH = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage",
              "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}


def sqs_requests(region: str, target: str | None, raw: bytes) -> list[tuple[str, str]]:
    if target:  # the JSON protocol
        operation, params = target.split(".")[-1], json.loads(raw or b"{}")
    else:  # the query protocol
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        operation, params = form.get("Action", "Unknown"), form
    action = "sqs:" + _SQS_BATCH.get(operation, operation)
    queue = params.get("QueueUrl") or params.get("QueueName")
    return [(action, _queue_arn(region, queue) if queue else "*")]


def secretsmanager_requests(region: str, target: str, body: dict, arns: dict[str, str]) -> list[tuple[str, str]]:
    secret = body.get("SecretId") or body.get("Name") or "*"
    if secret in arns:
        secret = arns[secret]
    elif not secret.startswith("arn:") and secret != "*":
        # A secret named, not given by ARN: IAM evaluates its ARN, which ends in six random
        # characters after the name.
        secret = f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{secret}-AbCdEf"
    return [(f"secretsmanager:{target.split('.')[-1]}", secret)]


def sesv2_requests(region: str, method: str, path: str, body: dict, verified: set[str]) -> list[tuple[str, str]] | None:
    """SendEmail (on the identity, the configuration set and the SES tenant it names), and what
    makes an SES tenant: CreateTenant, GetTenant, CreateTenantResourceAssociation (on the tenant
    and the resource). A tenant is checked as `tenant/{name}`: its ARN's id, which SES picks,
    is what a policy's `tenant/{prefix}-*` matches past."""
    tenant = f"arn:aws:ses:{region}:{ACCOUNT}:tenant/{body.get('TenantName', '')}"
    if method == "POST" and path == "/v2/email/outbound-emails":
        _, address = parseaddr(body.get("FromEmailAddress", ""))
        identity = address if address in verified else address.split("@")[-1]
        out = [("ses:SendEmail", f"arn:aws:ses:{region}:{ACCOUNT}:identity/{identity}")]
        if body.get("ConfigurationSetName"):
            out.append(("ses:SendEmail", f"arn:aws:ses:{region}:{ACCOUNT}:configuration-set/{body['ConfigurationSetName']}"))
        if body.get("TenantName"):
            out.append(("ses:SendEmail", tenant))
        return out
    if method == "POST" and path == "/v2/email/tenants":
        return [("ses:CreateTenant", tenant)]
    if method == "POST" and path == "/v2/email/tenants/get":
        return [("ses:GetTenant", tenant)]
    if method == "POST" and path == "/v2/email/tenants/resources":
        return [("ses:CreateTenantResourceAssociation", tenant),
                ("ses:CreateTenantResourceAssociation", body.get("ResourceArn", ""))]
    return None  # not classified


def s3_requests(method: str, path: str, query: dict, body: bytes) -> list[tuple[str, str]] | None:
    """An S3 call by path (the functions address buckets by path on an emulator): objects are
    read (HEAD, GET), written (PUT), deleted (DELETE, or POST ?delete with the keys in XML); a
    bucket's objects are listed (GET on the bucket itself: ListObjectsV2)."""
    bucket, _, key = path.lstrip("/").partition("/")
    if not bucket:
        return None
    if method == "GET" and not key:
        return [("s3:ListBucket", f"arn:aws:s3:::{bucket}")]
    if method == "POST" and "delete" in query and not key:
        keys = re.findall(rb"<Key>(.*?)</Key>", body)
        return [("s3:DeleteObject", f"arn:aws:s3:::{bucket}/{k.decode()}") for k in keys]
    action = {"HEAD": "s3:GetObject", "GET": "s3:GetObject", "PUT": "s3:PutObject", "DELETE": "s3:DeleteObject"}
    if key and method in action:
        return [(action[method], f"arn:aws:s3:::{bucket}/{unquote(key)}")]
    return None


def connections_request(region: str, api_id: str, method: str, raw_path: str) -> tuple[str, str, str] | None:
    """`/{stage}/@connections/{id}` (raw, percent-encoded) → (stage, connection id, the ARN
    ManageConnections is checked on)."""
    segments = [unquote(s) for s in raw_path.split("?")[0].split("/")]
    if len(segments) != 4 or segments[0] or segments[2] != "@connections":
        return None
    stage, connection = segments[1], segments[3]
    arn = f"arn:aws:execute-api:{region}:{ACCOUNT}:{api_id}/{stage}/{method}/@connections/{connection}"
    return stage, connection, arn
