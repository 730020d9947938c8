"""What the stack deploys, read from the resolved template: functions, queues and their event
sources, schedules, the two APIs. Every wiring mistake CloudFormation, Lambda or API Gateway
would refuse (or that would leave something silently unused) is collected and reported at once.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .iam import Policy, _pattern
from .template import ACCOUNT, Stack, TemplateError

# Names Lambda reserves: a template cannot set them.
RESERVED_ENV = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}
ENV_LIMIT = 4096  # Lambda: 4 KB for all of a function's variables
LAMBDA_ARN_IN_URI = re.compile(r"functions/(arn:aws:lambda:[^/]+)/invocations")


@dataclass
class Role:
    logical: str
    name: str
    arn: str
    policy: Policy
    trusted: set[str]


@dataclass
class Function:
    logical: str
    name: str
    arn: str
    short: str  # the crate's directory name: http-api, ws-message…
    binary: Path
    env: dict[str, str]
    timeout: int
    memory: int
    log_group: str
    log_format: str
    tracing: bool
    role: Role
    reserved: int | None = None  # ReservedConcurrentExecutions; None: the account's unreserved pool
    versions: set[str] = field(default_factory=set)  # published (AWS::Lambda::Version): "1"
    aliases: dict[str, str] = field(default_factory=dict)  # alias name → the version it points at


@dataclass
class Queue:
    logical: str
    name: str
    arn: str
    url: str
    visibility_timeout: int
    dead_letter: str | None = None  # logical id of its dead-letter queue
    max_receive_count: int | None = None


@dataclass
class EventSource:
    logical: str
    queue: Queue
    function: Function
    batch_size: int
    batching_window: int
    report_failures: bool
    max_concurrency: int | None
    enabled: bool


@dataclass
class Schedule:
    logical: str
    arn: str
    function: Function
    every_ms: int | None
    input: str | None


@dataclass
class WsRoute:
    key: str
    function: Function
    authorizer: "Authorizer | None"
    two_way: bool


@dataclass
class Authorizer:
    id: str
    function: Function
    identity_sources: list[str]


@dataclass
class WebSocketApi:
    api_id: str
    stage: str
    routes: dict[str, WsRoute]


@dataclass
class HttpRoute:
    method: str  # GET, POST… or ANY
    path: str  # /v1/health, /{proxy+}, or $default
    function: Function
    payload_version: str

    @property
    def key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass
class HttpApi:
    api_id: str
    stage: str
    routes: list[HttpRoute]


@dataclass
class Permission:
    function: Function
    principal: str
    source_arn: str | None
    qualifier: str | None = None  # the alias or version it is on; None: the function's $LATEST


@dataclass
class DeployTarget:
    """What one deployment group's deployment moves: `function`'s alias to `version`."""
    group: str
    function: Function
    alias: str
    version: str


@dataclass
class DeployHook:
    """A pre-traffic hook (an alias's CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook): what
    CodeDeploy invokes before it shifts each of these aliases, once per deployment."""
    function: Function
    qualifier: str | None
    application: str
    targets: list[DeployTarget]


ANY_QUALIFIER = object()


@dataclass
class Topology:
    stack: Stack
    functions: dict[str, Function] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    event_sources: list[EventSource] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)
    websocket: WebSocketApi | None = None
    http: HttpApi | None = None
    permissions: list[Permission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth printing, not fatal
    table_names: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)  # name → ARN
    deploy_hooks: list[DeployHook] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ lookups
    def function(self, reference: str, where: str) -> Function | None:
        """A function by its name or ARN (what a Ref, a GetAtt or an integration URI gives)."""
        return self.invoked(reference, where)[0]

    def invoked(self, reference: str, where: str) -> tuple[Function | None, str | None]:
        """What an invocation source names: the function and its qualifier (an alias, a version;
        None: $LATEST). A function behind an alias must be invoked through it, as a canary deploy
        shifts only the alias: a caller of $LATEST would get every deploy at once."""
        base, qualifier = _split_qualifier(reference)
        for f in self.functions.values():
            if base not in (f.name, f.arn):
                continue
            if qualifier is None and f.aliases:
                self.problems.append(f"{where}: invokes {f.logical} unqualified ($LATEST) though it has the alias "
                                     f"{', '.join(sorted(f.aliases))}: name the alias (e.g. !Ref {f.logical}.Alias)")
            elif qualifier is not None and qualifier not in f.aliases and qualifier not in f.versions:
                self.problems.append(f"{where}: {f.logical} has no alias or version {qualifier!r}")
            return f, qualifier
        self.problems.append(f"{where}: {reference} is no function of this stack")
        return None, None

    def queue_by_arn(self, arn: str) -> Queue | None:
        return next((q for q in self.queues.values() if q.arn == arn), None)

    def may_invoke(self, function: Function, principal: str, source_arn: str, qualifier=ANY_QUALIFIER) -> bool:
        """A resource policy (AWS::Lambda::Permission) lets `principal` invoke `function` from
        `source_arn` — at `qualifier`: a permission is on one alias or version, as on AWS."""
        return any(
            p.function is function
            and p.principal == principal
            and (qualifier is ANY_QUALIFIER or p.qualifier == qualifier)
            and (p.source_arn is None or _pattern(p.source_arn, False).fullmatch(source_arn))
            for p in self.permissions
        )

    def execute_api_arn(self, api_id: str, path: str) -> str:
        return f"arn:aws:execute-api:{self.stack.region}:{ACCOUNT}:{api_id}/{path}"


def read(stack: Stack, code_uris: dict[str, str], repo: Path, bin_dir: Path) -> Topology:
    topology = Topology(stack)
    try:
        _read_data(topology)
        roles = _read_roles(topology)
        _read_functions(topology, roles, code_uris, repo, bin_dir)
        _read_versions_and_aliases(topology)
        _read_permissions(topology)
        _read_event_sources(topology)
        _read_schedules(topology, roles)
        _read_websocket(topology)
        _read_http(topology)
        _check_consumers(topology)
    except TemplateError as e:
        topology.problems.append(str(e))
    if topology.problems:
        raise TemplateError("the stack would not work as deployed:\n  - " + "\n  - ".join(topology.problems))
    return topology


def _read_data(t: Topology) -> None:
    for logical, _ in t.stack.of_type("AWS::DynamoDB::Table"):
        t.table_names.append(t.stack.ref(logical, logical))
    # A table the stack uses without making it (template.yaml's ExistingTableName).
    existing = t.stack.parameters.get("ExistingTableName")
    if existing:
        t.table_names.append(existing)
    for logical, _ in t.stack.of_type("AWS::SecretsManager::Secret"):
        t.secrets[t.stack.physical(logical, logical)["Name"]] = t.stack.ref(logical, logical)
    for logical, _ in t.stack.of_type("AWS::SQS::Queue"):
        props = t.stack.properties(logical)
        physical = t.stack.physical(logical, logical)
        queue = Queue(logical, physical["QueueName"], physical["Arn"], t.stack.ref(logical, logical),
                      int(props.get("VisibilityTimeout", 30)))
        if "RedrivePolicy" in props:
            redrive = props["RedrivePolicy"]
            queue.dead_letter = t.stack.logical_of(redrive.get("deadLetterTargetArn"))
            queue.max_receive_count = int(redrive.get("maxReceiveCount", 0))
            if queue.dead_letter is None:
                t.problems.append(f"{logical}: RedrivePolicy's deadLetterTargetArn is no queue of this stack")
        t.queues[logical] = queue


def _read_roles(t: Topology) -> dict[str, Role]:
    extra: dict[str, list[dict]] = {}  # AWS::IAM::Policy / ManagedPolicy resources attached to roles
    for type_ in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for logical, _ in t.stack.of_type(type_):
            props = t.stack.properties(logical)
            for role in props.get("Roles", []):
                statements = props["PolicyDocument"].get("Statement", [])
                extra.setdefault(role, []).extend(statements if isinstance(statements, list) else [statements])
    roles = {}
    for logical, _ in t.stack.of_type("AWS::IAM::Role"):
        props = t.stack.properties(logical)
        physical = t.stack.physical(logical, logical)
        trusted = set()
        for statement in props.get("AssumeRolePolicyDocument", {}).get("Statement", []):
            services = statement.get("Principal", {}).get("Service", [])
            trusted |= set(services if isinstance(services, list) else [services])
        policy = Policy.of_role(props, extra.get(physical["Ref"], []))
        roles[physical["Arn"]] = Role(logical, physical["Ref"], physical["Arn"], policy, trusted)
    return roles


def _code_uri(resource: dict, code_uris: dict[str, str], logical: str) -> str | None:
    """Where a function's crate is: SAM's CodeUri, or the crate a CDK function names in its
    metadata (`missive:crate`, infra/cdk), whose code is an asset of the cargo-lambda build."""
    crate = resource.get("Metadata", {}).get("missive:crate")
    return f"functions/{crate}" if crate else code_uris.get(logical)


def _binary(logical: str, resource: dict, code_uri: str | None, repo: Path, bin_dir: Path) -> Path:
    metadata = resource.get("Metadata", {})
    build_method = metadata.get("BuildMethod")
    if "missive:crate" in metadata:
        build_method = "cdk-asset"  # built by cargo-lambda before `cdk deploy`: no makefile
    elif build_method not in ("rust-cargolambda", "makefile"):
        raise TemplateError(f"{logical}: BuildMethod {build_method!r} is not emulated (rust-cargolambda or makefile)")
    if code_uri is None:
        raise TemplateError(f"{logical}: no CodeUri")
    manifest = repo / code_uri / "Cargo.toml"
    if not manifest.is_file():
        raise TemplateError(f"{logical}: CodeUri {code_uri} has no Cargo.toml: cargo-lambda would build nothing")
    # The makefile build (functions/lambda.mk) copies the binary named after the crate's folder.
    if build_method == "makefile" and not (repo / code_uri / "Makefile").is_file():
        raise TemplateError(f"{logical}: BuildMethod makefile but CodeUri {code_uri} has no Makefile: sam build would fail")
    name = metadata.get("BuildProperties", {}).get("Binary") or tomllib.loads(manifest.read_text())["package"]["name"]
    binary = bin_dir / name
    if not binary.is_file():
        raise TemplateError(f"{logical}: the binary {binary} (package {name} of {code_uri}) is not built")
    return binary


def _newest_source(repo: Path) -> tuple[float, Path | None]:
    """The most recently changed Rust source or manifest of the workspace (tests aside)."""
    skip = {"target", ".venv", "node_modules", ".git", "tests", "clients"}
    newest: tuple[float, Path | None] = (0.0, None)
    for directory, subdirectories, files in os.walk(repo):
        subdirectories[:] = [d for d in subdirectories if d not in skip]
        for name in files:
            if name.endswith((".rs", ".toml", ".lock")):
                path = Path(directory) / name
                newest = max(newest, (path.stat().st_mtime, path), key=lambda n: n[0])
    return newest


def _read_functions(t: Topology, roles: dict[str, Role], code_uris: dict[str, str], repo: Path, bin_dir: Path) -> None:
    newest, newest_path = _newest_source(repo)
    stale: list[str] = []
    for logical, resource in t.stack.of_type("AWS::Lambda::Function"):
        where = logical
        props = t.stack.properties(logical)
        physical = t.stack.physical(logical, logical)
        code_uri = _code_uri(resource, code_uris, logical)
        try:
            binary = _binary(logical, resource, code_uri, repo, bin_dir)
        except TemplateError as e:
            t.problems.append(str(e))
            continue
        if binary.stat().st_mtime < newest:
            stale.append(binary.name)
        if not str(props.get("Runtime", "")).startswith("provided") or props.get("Handler") != "bootstrap":
            t.problems.append(f"{where}: Runtime {props.get('Runtime')} / Handler {props.get('Handler')}: "
                              "a Rust binary needs an OS-only runtime (provided.*) and the handler bootstrap")
        env = {k: _env_value(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
        for name in sorted(set(env) & RESERVED_ENV):
            t.problems.append(f"{where}: environment variable {name} is reserved by Lambda")
        size = sum(len(k) + len(v) for k, v in env.items())
        if size > ENV_LIMIT:
            t.problems.append(f"{where}: environment variables take {size} bytes, over Lambda's {ENV_LIMIT}")
        role = roles.get(props.get("Role"))
        if role is None:
            t.problems.append(f"{where}: Role {props.get('Role')} is no role of this stack")
            continue
        if "lambda.amazonaws.com" not in role.trusted:
            t.problems.append(f"{where}: role {role.logical} does not trust lambda.amazonaws.com")
        for arn in role.policy.unknown:
            t.problems.append(f"{where}: role {role.logical}'s managed policy {arn} is not known to iam.py")
        logging = props.get("LoggingConfig", {})
        reserved = props.get("ReservedConcurrentExecutions")
        try:
            reserved = None if reserved is None else int(reserved)
        except (TypeError, ValueError):
            t.problems.append(f"{where}: ReservedConcurrentExecutions {reserved!r} is not a number")
            continue
        if reserved is not None and reserved < 0:
            t.problems.append(f"{where}: ReservedConcurrentExecutions {reserved} is below 0")
            continue
        t.functions[logical] = Function(
            logical=logical,
            name=physical["Ref"],
            arn=physical["Arn"],
            short=Path(code_uri).name,
            binary=binary,
            env=env,
            timeout=int(props.get("Timeout", 3)),
            memory=int(props.get("MemorySize", 128)),
            log_group=logging.get("LogGroup", f"/aws/lambda/{physical['Ref']}"),
            log_format=logging.get("LogFormat", "Text"),
            tracing=props.get("TracingConfig", {}).get("Mode") == "Active",
            role=role,
            reserved=reserved,
        )
    if stale:
        t.notes.append(f"binaries older than {newest_path.relative_to(repo)}: {', '.join(stale)} (cargo build --bins)")


def _env_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise TemplateError(f"an environment variable resolves to {value!r}, not a string")
    return str(value)


def _split_qualifier(reference: str) -> tuple[str, str | None]:
    """`arn:aws:lambda:r:a:function:name[:qualifier]` or `name[:qualifier]`: the rest and the qualifier."""
    parts = reference.split(":")
    if reference.startswith("arn:"):
        return ":".join(parts[:7]), (parts[7] if len(parts) > 7 else None)
    return parts[0], (parts[1] if len(parts) > 1 else None)


def _read_versions_and_aliases(t: Topology) -> None:
    by_name = {f.name: f for f in t.functions.values()}
    for logical, _ in t.stack.of_type("AWS::Lambda::Version"):
        function = by_name.get(t.stack.properties(logical)["FunctionName"])
        if function is None:
            t.problems.append(f"{logical}: publishes a version of no function of this stack")
            continue
        function.versions.add(t.stack.get_att(logical, "Version", logical))
    hooks: dict[str, DeployHook] = {}
    for logical, resource in t.stack.of_type("AWS::Lambda::Alias"):
        props = t.stack.properties(logical)
        function = by_name.get(props["FunctionName"])
        version = str(props.get("FunctionVersion", ""))
        if function is None:
            t.problems.append(f"{logical}: an alias of no function of this stack")
            continue
        if version not in function.versions:
            t.problems.append(f"{logical}: points at version {version!r}, which {function.logical} does not publish "
                              "($LATEST cannot shift by canary)")
            continue
        function.aliases[props["Name"]] = version
        update = resource.get("UpdatePolicy", {}).get("CodeDeployLambdaAliasUpdate")
        if update:
            resolved = t.stack.resolve(update, logical)
            hook_ref = resolved.get("BeforeAllowTrafficHook")
            if hook_ref:
                hook = hooks.setdefault(hook_ref, DeployHook(None, None, resolved["ApplicationName"], []))
                hook.targets.append(DeployTarget(resolved["DeploymentGroupName"], function, props["Name"], version))
    # Hooks are read once every alias is: a hook may itself be behind an alias.
    for reference, hook in hooks.items():
        hook.function, hook.qualifier = t.invoked(reference, "a BeforeAllowTrafficHook")
        if hook.function is not None:
            t.deploy_hooks.append(hook)


def _read_permissions(t: Topology) -> None:
    for logical, _ in t.stack.of_type("AWS::Lambda::Permission"):
        props = t.stack.properties(logical)
        function, qualifier = t.invoked(props["FunctionName"], logical)
        if function and props.get("Action") == "lambda:InvokeFunction":
            t.permissions.append(Permission(function, props["Principal"], props.get("SourceArn"), qualifier))


def _read_event_sources(t: Topology) -> None:
    for logical, _ in t.stack.of_type("AWS::Lambda::EventSourceMapping"):
        props = t.stack.properties(logical)
        function = t.function(props["FunctionName"], logical)
        queue = t.queue_by_arn(props.get("EventSourceArn", ""))
        if queue is None:
            t.problems.append(f"{logical}: EventSourceArn {props.get('EventSourceArn')} is no queue of this stack")
        if function is None or queue is None:
            continue
        for unsupported in ("FilterCriteria", "DestinationConfig"):
            if unsupported in props:
                t.problems.append(f"{logical}: {unsupported} is not emulated")
        batch, window = int(props.get("BatchSize", 10)), int(props.get("MaximumBatchingWindowInSeconds", 0))
        if not 1 <= batch <= 10000 or (batch > 10 and window < 1):
            t.problems.append(f"{logical}: BatchSize {batch} (over 10 needs MaximumBatchingWindowInSeconds ≥ 1)")
        concurrency = props.get("ScalingConfig", {}).get("MaximumConcurrency")
        if concurrency is not None and not 2 <= int(concurrency) <= 1000:
            t.problems.append(f"{logical}: ScalingConfig.MaximumConcurrency {concurrency} is outside 2..1000")
        if queue.visibility_timeout < function.timeout:
            t.problems.append(f"{logical}: {queue.logical}'s VisibilityTimeout ({queue.visibility_timeout} s) is "
                              f"below {function.logical}'s Timeout ({function.timeout} s): Lambda refuses the mapping")
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
            if not function.role.policy.allows(action, queue.arn):
                t.problems.append(f"{logical}: {function.logical}'s role lacks {action} on {queue.logical}")
        t.event_sources.append(EventSource(
            logical, queue, function, batch, window,
            "ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            int(concurrency) if concurrency is not None else None,
            props.get("Enabled", True) not in (False, "false"),
        ))


def _rate_ms(expression: str) -> int | None:
    match = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression.strip())
    if not match:
        return None  # cron(…), at(…): the emulator needs --schedule-every-ms
    unit = {"minute": 60, "hour": 3600, "day": 86400}[match.group(2).rstrip("s")]
    return int(match.group(1)) * unit * 1000


def _read_schedules(t: Topology, roles: dict[str, Role]) -> None:
    for logical, _ in t.stack.of_type("AWS::Scheduler::Schedule"):
        props = t.stack.properties(logical)
        if props.get("State", "ENABLED") != "ENABLED":
            continue
        target = props["Target"]
        function, qualifier = t.invoked(target["Arn"], f"{logical}.Target")
        role = roles.get(target.get("RoleArn"))
        if function is None:
            continue
        if role is None or "scheduler.amazonaws.com" not in role.trusted:
            t.problems.append(f"{logical}: Target.RoleArn is no role of this stack trusting scheduler.amazonaws.com")
        elif role.policy.unknown:
            t.problems.append(f"{logical}: role {role.logical}'s managed policies {role.policy.unknown} are not known to iam.py")
        elif not role.policy.allows("lambda:InvokeFunction", target["Arn"]):
            t.problems.append(f"{logical}: its role may not lambda:InvokeFunction {function.logical}")
        arn = t.stack.get_att(logical, "Arn", logical)
        t.schedules.append(Schedule(logical, arn, function, _rate_ms(props["ScheduleExpression"]), target.get("Input")))
    for logical, _ in t.stack.of_type("AWS::Events::Rule"):
        props = t.stack.properties(logical)
        if "ScheduleExpression" not in props or props.get("State", "ENABLED") != "ENABLED":
            continue
        for target in props.get("Targets", []):
            function, qualifier = t.invoked(target["Arn"], f"{logical}.Targets")
            arn = f"arn:aws:events:{t.stack.region}:{ACCOUNT}:rule/{t.stack.ref(logical, logical)}"
            if function and not t.may_invoke(function, "events.amazonaws.com", arn, qualifier):
                t.problems.append(f"{logical}: no AWS::Lambda::Permission lets EventBridge invoke {function.logical}")
            if function:
                t.schedules.append(Schedule(logical, arn, function, _rate_ms(props["ScheduleExpression"]), target.get("Input")))


def _stage_of(t: Topology, api_logical: str, api_id: str) -> str | None:
    stages = [(k, t.stack.properties(k)) for k, _ in t.stack.of_type("AWS::ApiGatewayV2::Stage")]
    stages = [(k, p) for k, p in stages if p.get("ApiId") == api_id]
    if len(stages) != 1:
        t.problems.append(f"{api_logical}: {len(stages)} stages; the emulator serves exactly one")
        return None
    logical, props = stages[0]
    if not props.get("AutoDeploy") and not props.get("DeploymentId"):
        t.problems.append(f"{logical}: neither AutoDeploy nor a DeploymentId: the stage would serve no route")
    return props["StageName"]


def _read_websocket(t: Topology) -> None:
    apis = [(k, t.stack.properties(k)) for k, _ in t.stack.of_type("AWS::ApiGatewayV2::Api")]
    apis = [(k, p) for k, p in apis if p.get("ProtocolType") == "WEBSOCKET"]
    if not apis:
        return
    if len(apis) > 1:
        t.problems.append("more than one WebSocket API: the emulator serves one")
        return
    api_logical, api = apis[0]
    api_id = t.stack.ref(api_logical, api_logical)
    if api.get("RouteSelectionExpression") != "$request.body.action":
        t.problems.append(f"{api_logical}: RouteSelectionExpression {api.get('RouteSelectionExpression')!r} "
                          "is not emulated ($request.body.action only)")
    stage = _stage_of(t, api_logical, api_id)

    def of_api(type_: str) -> list[tuple[str, dict]]:
        resources = [(k, t.stack.properties(k)) for k, _ in t.stack.of_type(type_)]
        return [(k, p) for k, p in resources if p.get("ApiId") == api_id]

    integrations = {t.stack.ref(k, k): (k, p) for k, p in of_api("AWS::ApiGatewayV2::Integration")}
    authorizers = {}
    for logical, props in of_api("AWS::ApiGatewayV2::Authorizer"):
        match = LAMBDA_ARN_IN_URI.search(props.get("AuthorizerUri", ""))
        function, qualifier = t.invoked(match.group(1), logical) if match else (None, None)
        if props.get("AuthorizerType") != "REQUEST" or function is None:
            t.problems.append(f"{logical}: only REQUEST authorizers backed by a function of the stack are emulated")
            continue
        authorizer = Authorizer(t.stack.ref(logical, logical), function, props.get("IdentitySource", []))
        source = t.execute_api_arn(api_id, f"authorizers/{authorizer.id}")
        if not t.may_invoke(function, "apigateway.amazonaws.com", source, qualifier):
            t.problems.append(f"{logical}: no AWS::Lambda::Permission lets API Gateway invoke {function.logical} as authorizer ({source})")
        authorizers[authorizer.id] = authorizer
    two_way = {p.get("RouteId") for _, p in of_api("AWS::ApiGatewayV2::RouteResponse")}
    routes = {}
    for logical, props in of_api("AWS::ApiGatewayV2::Route"):
        key = props["RouteKey"]
        target = props.get("Target", "")
        integration = integrations.get(target.removeprefix("integrations/"))
        if integration is None:
            t.problems.append(f"{logical} ({key}): Target {target!r} is no integration of the API")
            continue
        integration_logical, integration_props = integration
        match = LAMBDA_ARN_IN_URI.search(integration_props.get("IntegrationUri", ""))
        if integration_props.get("IntegrationType") != "AWS_PROXY" or not match:
            t.problems.append(f"{integration_logical}: only AWS_PROXY integrations with a function are emulated")
            continue
        function, qualifier = t.invoked(match.group(1), integration_logical)
        authorizer = None
        if props.get("AuthorizationType", "NONE") == "CUSTOM":
            authorizer = authorizers.get(props.get("AuthorizerId"))
            if authorizer is None:
                t.problems.append(f"{logical}: AuthorizerId {props.get('AuthorizerId')} is no authorizer of the API")
        elif props.get("AuthorizationType", "NONE") != "NONE":
            t.problems.append(f"{logical}: AuthorizationType {props['AuthorizationType']} is not emulated")
        if authorizer and key != "$connect":
            t.problems.append(f"{logical}: API Gateway runs authorizers on $connect only, not on {key}")
        if function is None:
            continue
        source = t.execute_api_arn(api_id, f"{stage}/{key}")
        if not t.may_invoke(function, "apigateway.amazonaws.com", source, qualifier):
            t.problems.append(f"{logical}: no AWS::Lambda::Permission lets API Gateway invoke {function.logical} for {key} ({source})")
        route_id = t.stack.ref(logical, logical)
        routes[key] = WsRoute(key, function, authorizer, route_id in two_way)
    if "$connect" in routes and routes["$connect"].authorizer is None:
        print(f"note: {api_logical}'s $connect has no authorizer: every connection is accepted", flush=True)
    if stage:
        t.websocket = WebSocketApi(api_id, stage, routes)


def _read_http(t: Topology) -> None:
    apis = [(k, t.stack.properties(k)) for k, _ in t.stack.of_type("AWS::ApiGatewayV2::Api")]
    apis = [(k, p) for k, p in apis if p.get("ProtocolType", "HTTP") == "HTTP"]
    if not apis:
        return
    if len(apis) > 1:
        t.problems.append("more than one HTTP API: the emulator serves one")
        return
    api_logical, api = apis[0]
    api_id = t.stack.ref(api_logical, api_logical)
    if "Body" not in api:
        t.problems.append(f"{api_logical}: only HTTP APIs defined by an OpenAPI Body (as SAM makes them) are emulated")
        return
    stage = _stage_of(t, api_logical, api_id)
    routes = []
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "x-amazon-apigateway-any-method"}
    for path, operations in api["Body"].get("paths", {}).items():
        for method, operation in operations.items():
            if method not in methods:
                continue
            verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            integration = operation.get("x-amazon-apigateway-integration")
            match = LAMBDA_ARN_IN_URI.search((integration or {}).get("uri", ""))
            if not integration or integration.get("type") != "aws_proxy" or not match:
                t.problems.append(f"{api_logical}: {verb} {path} has no aws_proxy integration with a function")
                continue
            function, qualifier = t.invoked(match.group(1), f"{api_logical} {verb} {path}")
            if function is None:
                continue
            route = HttpRoute(verb, path, function, str(integration.get("payloadFormatVersion", "2.0")))
            source = t.execute_api_arn(api_id, f"{stage}/{verb}{path}")
            if not t.may_invoke(function, "apigateway.amazonaws.com", source, qualifier):
                t.problems.append(f"{api_logical}: no AWS::Lambda::Permission lets API Gateway invoke {function.logical} for {route.key}")
            routes.append(route)
    if stage:
        t.http = HttpApi(api_id, stage, routes)


def _check_consumers(t: Topology) -> None:
    """A queue something writes to must have a reader: an event source, or be a dead-letter queue."""
    consumed = {e.queue.logical for e in t.event_sources}
    dead_letters = {q.dead_letter for q in t.queues.values()}
    for logical, queue in t.queues.items():
        if logical not in consumed and logical not in dead_letters:
            t.problems.append(f"{logical}: no event source mapping reads it and it is no dead-letter queue: its jobs would wait forever")
    for function in t.functions.values():
        for name, value in function.env.items():
            for queue in t.queues.values():
                if value == queue.url and queue.logical not in consumed:
                    t.problems.append(f"{function.logical}: {name} points at {queue.logical}, which nothing consumes")
