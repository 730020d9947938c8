"""template.yaml as CloudFormation sees it after `sam deploy`.

The template is decoded with cfn-lint (which knows the intrinsic tags), transformed with the
SAM translator (what `sam deploy` runs: Globals merged into the functions, event sources turned
into event source mappings, schedules and permissions, the HttpApi into an ApiGatewayV2 API with
its OpenAPI body, one IAM role per function with SAM's managed policies), then its intrinsic
functions are resolved against emulated physical ids: `Stack.resolve`.

Nothing here talks to AWS: `Stack.set_ref` lets the provisioning step record what only moto
knows (the queues' URLs).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import re
import string
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"  # moto's default account
PARTITION = "aws"
NO_VALUE = object()  # AWS::NoValue: the key or item it stands for disappears


class TemplateError(Exception):
    """The template cannot be deployed as it is (or uses something the emulator does not do)."""


def _suffix(n: int = 12) -> str:
    return "".join(random.choices(string.ascii_uppercase + string.digits, k=n))


def _api_id() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=10))


def _short_id() -> str:
    return "".join(random.choices(string.ascii_lowercase + string.digits, k=7))


def decode(path: Path) -> dict:
    from cfnlint.decode import decode as cfn_decode

    template, problems = cfn_decode(str(path))
    if problems or template is None:
        raise TemplateError(f"{path}: cannot be decoded: {problems}")
    return json.loads(json.dumps(template))  # plain dicts and lists, no cfn-lint node types


def sam_transform(template: dict, parameters: dict[str, Any], region: str) -> tuple[dict, dict[str, str]]:
    """Runs the SAM transform; returns the CloudFormation template and each function's CodeUri.

    The SAM translator wants S3 code locations (as `sam deploy` gives it after uploading), so
    each local CodeUri is replaced by a placeholder and remembered."""
    if "AWS::Serverless-2016-10-31" not in json.dumps(template.get("Transform", [])):
        return template, {}
    import boto3
    from samtranslator.metrics.metrics import DummyMetricsPublisher, Metrics
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    template = copy.deepcopy(template)
    code_uris: dict[str, str] = {}
    for logical, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        code_uri = resource.get("Properties", {}).get("CodeUri")
        if not isinstance(code_uri, str):
            raise TemplateError(f"{logical}: CodeUri must be a local path, got {code_uri!r}")
        code_uris[logical] = code_uri
        resource["Properties"]["CodeUri"] = f"s3://emulator-local-code/{code_uri}"

    values = dict(parameters, **{"AWS::Region": region, "AWS::Partition": PARTITION, "AWS::AccountId": ACCOUNT})
    # No managed policy map: a policy named without its ARN would need IAM to look it up.
    metrics = Metrics("ServerlessTransform", DummyMetricsPublisher())
    translator = Translator({}, Parser(), boto_session=boto3.session.Session(region_name=region), metrics=metrics)
    try:
        transformed = translator.translate(template, parameter_values=values)
        metrics.publish()
        return transformed, code_uris
    except Exception as e:  # samtranslator's InvalidDocumentException and friends
        raise TemplateError(f"the SAM transform failed: {e}") from e


def deployable(path: Path, parameters: dict[str, Any], region: str,
               cache_dir: Path | None = None) -> tuple[dict, dict[str, str]]:
    """`decode` then `sam_transform`: the CloudFormation template and each function's CodeUri.

    With `cache_dir`, the result is kept there under a hash of the template's bytes, the
    parameters, the region and the SAM translator's version: both steps are deterministic, and
    together a second or more of every stack's start (the scenario suite starts one per test)."""
    key = None
    if cache_dir is not None:
        from importlib.metadata import version
        key = hashlib.sha256(json.dumps([path.read_bytes().decode(), sorted(parameters.items()), region,
                                         version("aws-sam-translator")]).encode()).hexdigest()[:32]
        cached = cache_dir / f"{key}.json"
        if cached.exists():
            kept = json.loads(cached.read_text())
            return kept["template"], kept["codeUris"]
    cloudformation, code_uris = sam_transform(decode(path), parameters, region)
    if key is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = cache_dir / f"{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps({"template": cloudformation, "codeUris": code_uris}))
        partial.replace(cache_dir / f"{key}.json")  # whole or not at all, for stacks starting together
    return cloudformation, code_uris


class Stack:
    """A deployed stack's view of its template: parameters, conditions, physical ids."""

    def __init__(self, template: dict, parameters: dict[str, str], region: str, stack_name: str):
        self.template = template
        self.region = region
        self.stack_name = stack_name
        self.resources: dict[str, dict] = template.get("Resources", {})
        self.parameters = self._parameters(parameters)
        self._conditions: dict[str, bool] = {}
        self._physical: dict[str, dict[str, Any]] = {}
        self._set_refs: dict[str, Any] = {}
        self.pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{stack_name}/emulated",
            "AWS::URLSuffix": "amazonaws.com",
        }

    # ------------------------------------------------------------------ parameters, conditions
    def _parameters(self, given: dict[str, str]) -> dict[str, str | list[str]]:
        declared = self.template.get("Parameters", {})
        unknown = set(given) - set(declared)
        if unknown:
            raise TemplateError(f"parameters not declared by the template: {sorted(unknown)}")
        values: dict[str, str | list[str]] = {}
        for name, spec in declared.items():
            if name in given:
                value = str(given[name])
            elif "Default" in spec:
                value = str(spec["Default"])
            else:
                raise TemplateError(f"parameter {name} has no default: pass --param {name}=…")
            self._check_parameter(name, spec, value)
            # A CommaDelimitedList is a list wherever it is referred to, as CloudFormation gives it.
            values[name] = [v.strip() for v in value.split(",")] if spec.get("Type") == "CommaDelimitedList" else value
        return values

    @staticmethod
    def _check_parameter(name: str, spec: dict, value: str) -> None:
        """CloudFormation's parameter constraints: a stack with a bad value is not created."""
        problem = None
        if "AllowedValues" in spec and value not in [str(v) for v in spec["AllowedValues"]]:
            problem = f"not one of {spec['AllowedValues']}"
        elif "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], value):
            problem = f"does not match {spec['AllowedPattern']}"
        elif "MinLength" in spec and len(value) < int(spec["MinLength"]):
            problem = f"shorter than {spec['MinLength']}"
        elif "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
            problem = f"longer than {spec['MaxLength']}"
        elif spec.get("Type") == "Number":
            try:
                number = float(value)
            except ValueError:
                problem = "not a number"
            else:
                if "MinValue" in spec and number < float(spec["MinValue"]):
                    problem = f"below {spec['MinValue']}"
                elif "MaxValue" in spec and number > float(spec["MaxValue"]):
                    problem = f"above {spec['MaxValue']}"
        if problem:
            shown = "****" if spec.get("NoEcho") else repr(value)
            raise TemplateError(f"parameter {name}={shown}: {problem}")

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = self.template.get("Conditions", {}).get(name)
            if spec is None:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self.resolve(spec, f"Conditions.{name}"))
        return self._conditions[name]

    def exists(self, logical: str) -> bool:
        resource = self.resources.get(logical)
        return resource is not None and ("Condition" not in resource or self.condition(resource["Condition"]))

    def of_type(self, type_: str) -> list[tuple[str, dict]]:
        """The resources of a type that the stack creates (their Condition holds)."""
        return [(k, r) for k, r in self.resources.items() if r.get("Type") == type_ and self.exists(k)]

    def properties(self, logical: str) -> dict:
        """A resource's properties, every intrinsic function resolved."""
        return self.resolve(self.resources[logical].get("Properties", {}), logical)

    # ------------------------------------------------------------------ physical ids
    def set_ref(self, logical: str, value: Any) -> None:
        """Records a value only the provisioning knows (a queue's URL)."""
        self._set_refs[logical] = value

    def provisioned(self, logical: str) -> bool:
        return logical in self._set_refs

    def _generated_name(self, logical: str, limit: int) -> str:
        suffix = _suffix()
        head = f"{self.stack_name}-{logical}"[: limit - len(suffix) - 1]
        return f"{head}-{suffix}"

    def physical(self, logical: str, where: str) -> dict[str, Any]:
        """Ref (key "Ref") and attributes of a resource, as CloudFormation would give them."""
        if logical in self._physical:
            return self._physical[logical]
        if logical not in self.resources:
            raise TemplateError(f"{where}: refers to {logical}, which is not in the template")
        if not self.exists(logical):
            raise TemplateError(f"{where}: refers to {logical}, which its Condition leaves out of the stack")
        type_ = self.resources[logical]["Type"]
        props = self.resources[logical].get("Properties", {})

        def named(key: str, limit: int) -> str:  # the name the template gives, or CloudFormation's
            return self.resolve(props[key], logical) if key in props else self._generated_name(logical, limit)

        r, a = self.region, ACCOUNT
        if type_ == "AWS::Lambda::Function":
            name = named("FunctionName", 64)
            out = {"Ref": name, "Arn": f"arn:aws:lambda:{r}:{a}:function:{name}"}
        elif type_ == "AWS::IAM::Role":
            name = named("RoleName", 64)
            out = {"Ref": name, "Arn": f"arn:aws:iam::{a}:role/{name}", "RoleId": "AROA" + _suffix(17)}
        elif type_ == "AWS::DynamoDB::Table":
            name = named("TableName", 255)
            out = {"Ref": name, "Arn": f"arn:aws:dynamodb:{r}:{a}:table/{name}"}
        elif type_ == "AWS::SQS::Queue":
            name = named("QueueName", 80 - (5 if props.get("FifoQueue") else 0))
            if props.get("FifoQueue") and not name.endswith(".fifo"):
                name += ".fifo"
            out = {"QueueName": name, "Arn": f"arn:aws:sqs:{r}:{a}:{name}"}  # Ref/QueueUrl: set_ref
        elif type_ == "AWS::S3::Bucket":
            # CloudFormation names a bucket in lower case (S3 takes no capitals), 63 at most.
            name = (self.resolve(props["BucketName"], logical) if "BucketName" in props
                    else self._generated_name(logical, 63).lower())
            out = {"Ref": name, "Arn": f"arn:aws:s3:::{name}", "DomainName": f"{name}.s3.amazonaws.com",
                   "RegionalDomainName": f"{name}.s3.{r}.amazonaws.com"}
        elif type_ == "AWS::ApiGatewayV2::Api":
            api = _api_id()
            scheme = "wss" if props.get("ProtocolType") == "WEBSOCKET" else "https"
            out = {"Ref": api, "ApiId": api, "ApiEndpoint": f"{scheme}://{api}.execute-api.{r}.amazonaws.com"}
        elif type_ == "AWS::ApiGatewayV2::Stage":
            out = {"Ref": self.resolve(props.get("StageName"), logical)}
        elif type_ in ("AWS::Logs::LogGroup",):
            name = named("LogGroupName", 512)
            out = {"Ref": name, "Arn": f"arn:aws:logs:{r}:{a}:log-group:{name}:*"}
        elif type_ == "AWS::SecretsManager::Secret":
            name = self.resolve(props["Name"], logical) if "Name" in props else f"{logical}-{_suffix()}"
            out = {"Name": name}  # Ref, the ARN moto gives it: set_ref
        elif type_ == "AWS::SES::ConfigurationSet":
            out = {"Ref": named("Name", 64)}
        elif type_ == "AWS::SNS::Topic":
            name = named("TopicName", 256)
            out = {"Ref": f"arn:aws:sns:{r}:{a}:{name}", "TopicArn": f"arn:aws:sns:{r}:{a}:{name}", "TopicName": name}
        elif type_ == "AWS::Scheduler::Schedule":
            name = named("Name", 64)
            out = {"Ref": name, "Arn": f"arn:aws:scheduler:{r}:{a}:schedule/default/{name}"}
        elif type_ == "AWS::Lambda::Version":
            # Each deploy of the emulator publishes the functions once: version 1.
            function = self.physical_of_ref(props["FunctionName"], logical)
            out = {"Ref": f"{function['Arn']}:1", "Version": "1", "FunctionArn": function["Arn"]}
        elif type_ == "AWS::Lambda::Alias":
            function = self.physical_of_ref(props["FunctionName"], logical)
            name = self.resolve(props["Name"], logical)
            out = {"Ref": f"{function['Arn']}:{name}", "AliasArn": f"{function['Arn']}:{name}"}
        elif type_ == "AWS::CloudWatch::Alarm":
            name = named("AlarmName", 255)
            out = {"Ref": name, "Arn": f"arn:aws:cloudwatch:{r}:{a}:alarm:{name}"}
        elif type_ in ("AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup"):
            out = {"Ref": named("ApplicationName" if type_.endswith("Application") else "DeploymentGroupName", 100)}
        elif type_.startswith("AWS::ApiGatewayV2::"):
            out = {"Ref": _short_id()}  # authorizers, integrations, routes, deployments
        else:
            out = {"Ref": self._generated_name(logical, 64)}
        self._physical[logical] = out
        return out

    def physical_of_ref(self, value: Any, where: str) -> dict[str, Any]:
        """The resource a property names with {"Ref": logical} (a version's or alias's function)."""
        if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in self.resources:
            return self.physical(value["Ref"], where)
        raise TemplateError(f"{where}: FunctionName {value!r} is not a Ref to a function of the stack")

    def ref(self, name: str, where: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if name in self._set_refs:
            return self._set_refs[name]
        physical = self.physical(name, where)
        if "Ref" not in physical:
            raise TemplateError(f"{where}: Ref {name} is only known once it is provisioned")
        return physical["Ref"]

    def get_att(self, logical: str, attribute: str, where: str) -> Any:
        if attribute in ("QueueUrl",) and logical in self._set_refs:
            return self._set_refs[logical]
        physical = self.physical(logical, where)
        if attribute not in physical or attribute == "Ref":
            raise TemplateError(
                f"{where}: Fn::GetAtt {logical}.{attribute} is not emulated for {self.resources[logical]['Type']}"
            )
        return physical[attribute]

    # ------------------------------------------------------------------ intrinsic functions
    def resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            items = [self.resolve(v, where) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(arg, where)
            if key == "Condition" and isinstance(arg, str):
                return self.condition(arg)
            if key.startswith("Fn::"):
                return self._function(key, arg, where)
        resolved = {k: self.resolve(v, f"{where}.{k}") for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _function(self, name: str, arg: Any, where: str) -> Any:
        if name == "Fn::GetAtt":
            logical, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            return self.get_att(logical, self.resolve(attribute, where), where)
        if name == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self.resolve(arg[1], where))
            return self._sub(text, variables, where)
        if name == "Fn::If":
            condition, yes, no = arg
            return self.resolve(yes if self.condition(condition) else no, where)
        if name == "Fn::Equals":
            a, b = (self.resolve(v, where) for v in arg)
            return str(a) == str(b)
        if name == "Fn::Not":
            return not self.resolve(arg[0], where)
        if name == "Fn::And":
            return all(self.resolve(v, where) for v in arg)
        if name == "Fn::Or":
            return any(self.resolve(v, where) for v in arg)
        if name == "Fn::Select":
            index, items = self.resolve(arg, where)
            return items[int(index)]
        if name == "Fn::Join":
            separator, items = self.resolve(arg, where)
            return separator.join(str(i) for i in items)
        if name == "Fn::Split":
            separator, text = self.resolve(arg, where)
            return text.split(separator)
        if name == "Fn::FindInMap":
            mapping, key, sub_key = self.resolve(arg, where)
            return self.template["Mappings"][mapping][key][sub_key]
        if name == "Fn::Base64":
            import base64

            return base64.b64encode(str(self.resolve(arg, where)).encode()).decode()
        raise TemplateError(f"{where}: {name} is not emulated")

    def _sub(self, text: str, variables: dict, where: str) -> str:
        def one(match: re.Match) -> str:
            expression = match.group(1)
            if expression.startswith("!"):
                return "${" + expression[1:] + "}"
            if expression in variables:
                return str(variables[expression])
            if "." in expression and expression.split(".", 1)[0] in self.resources:
                return str(self.get_att(*expression.split(".", 1), where))
            value = self.ref(expression, where)
            if value is NO_VALUE:
                raise TemplateError(f"{where}: ${{AWS::NoValue}} in a Fn::Sub")
            return str(value)

        return re.sub(r"\$\{([^}]+)\}", one, text)

    def logical_of(self, physical_value: str) -> str | None:
        """The resource whose Ref or an attribute is this value (an id, an ARN)."""
        for logical, physical in self._physical.items():
            if physical_value in physical.values():
                return logical
        for logical, value in self._set_refs.items():
            if value == physical_value:
                return logical
        return None
