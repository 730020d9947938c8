"""Creates the stack's data resources in moto, from their template properties: the DynamoDB
tables (keys, indexes, TTL, point-in-time recovery, encryption), the SQS queues (attributes and
redrive policies), the S3 buckets (encryption, public access block, CORS, lifecycle, policy),
the Secrets Manager secrets, the SES configuration sets. What lives outside the stack on AWS (the SES
identity EmailFrom must be verified as) is set up as an account precondition."""

from __future__ import annotations

import json
import secrets
import string
from email.utils import parseaddr

import boto3

from .template import Stack, TemplateError

# CloudFormation properties that map one-to-one onto CreateTable's parameters.
TABLE_PASSTHROUGH = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
                     "BillingMode", "ProvisionedThroughput", "StreamSpecification", "TableClass",
                     "DeletionProtectionEnabled")
TABLE_HANDLED = set(TABLE_PASSTHROUGH) | {"TableName", "TimeToLiveSpecification", "PointInTimeRecoverySpecification",
                                          "SSESpecification", "Tags"}
QUEUE_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                    "VisibilityTimeout", "SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication",
                    "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "DeduplicationScope", "FifoThroughputLimit")


def clients(endpoint: str, region: str):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    return {name: session.client(name, endpoint_url=endpoint) for name in ("dynamodb", "sqs", "sesv2", "secretsmanager", "s3")}


def create(stack: Stack, aws: dict, verified_identities: list[str]) -> list[str]:
    """Creates everything; returns the notes worth printing (properties not emulated)."""
    notes: list[str] = []
    for logical, _ in stack.of_type("AWS::DynamoDB::Table"):
        notes += _table(stack, aws["dynamodb"], logical)
    for logical, _ in stack.of_type("AWS::SQS::Queue"):
        _queue(stack, aws["sqs"], logical)
    for logical, _ in stack.of_type("AWS::S3::Bucket"):
        notes += _bucket(stack, aws["s3"], logical)
    for logical, _ in stack.of_type("AWS::S3::BucketPolicy"):
        notes += _bucket_policy(stack, aws["s3"], logical)
    for logical, _ in stack.of_type("AWS::SecretsManager::Secret"):
        props = stack.properties(logical)
        name = stack.physical(logical, logical)["Name"]
        arn = aws["secretsmanager"].create_secret(Name=name, SecretString=_secret_string(logical, props),
                                                  Description=props.get("Description", ""))["ARN"]
        stack.set_ref(logical, arn)
    for logical, _ in stack.of_type("AWS::SES::ConfigurationSet"):
        props = stack.properties(logical)
        options = {"SuppressionOptions": props["SuppressionOptions"]} if "SuppressionOptions" in props else {}
        aws["sesv2"].create_configuration_set(ConfigurationSetName=stack.ref(logical, logical), **options)
    for logical, _ in stack.of_type("AWS::SES::EmailIdentity"):
        aws["sesv2"].create_email_identity(EmailIdentity=stack.properties(logical)["EmailIdentity"])
    for identity in verified_identities:
        aws["sesv2"].create_email_identity(EmailIdentity=identity)
    return notes


def _secret_string(logical: str, props: dict) -> str:
    """The secret's value: given, or generated as Secrets Manager does (GenerateSecretString: a
    random string under GenerateStringKey of SecretStringTemplate's object)."""
    if "SecretString" in props:
        return props["SecretString"]
    spec = props.get("GenerateSecretString")
    if not spec or "GenerateStringKey" not in spec or "SecretStringTemplate" not in spec:
        raise TemplateError(f"{logical}: a SecretString, or a GenerateSecretString with a template and a key")
    unknown = set(spec) - {"SecretStringTemplate", "GenerateStringKey", "PasswordLength", "ExcludePunctuation"}
    if unknown:
        raise TemplateError(f"{logical}: GenerateSecretString {sorted(unknown)} not emulated")
    alphabet = string.ascii_letters + string.digits + ("" if spec.get("ExcludePunctuation") else "!#$%&()*+,-.:;<=>?@[]^_{|}~")
    value = json.loads(spec["SecretStringTemplate"])
    value[spec["GenerateStringKey"]] = "".join(secrets.choice(alphabet) for _ in range(int(spec.get("PasswordLength", 32))))
    return json.dumps(value)


def _table(stack: Stack, dynamodb, logical: str) -> list[str]:
    props = stack.properties(logical)
    name = stack.ref(logical, logical)
    args = {k: props[k] for k in TABLE_PASSTHROUGH if k in props}
    if isinstance(args.get("DeletionProtectionEnabled"), str):  # a mapping's "true", as CloudFormation reads it
        args["DeletionProtectionEnabled"] = args["DeletionProtectionEnabled"].lower() == "true"
    if props.get("SSESpecification", {}).get("SSEEnabled"):
        args["SSESpecification"] = {"Enabled": True}
    dynamodb.create_table(TableName=name, **args)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    if props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return [f"{logical}: {k} is not emulated" for k in sorted(set(props) - TABLE_HANDLED)]


def _queue(stack: Stack, sqs, logical: str) -> None:
    props = stack.properties(logical)
    name = stack.physical(logical, logical)["QueueName"]
    attributes = {k: str(props[k]).lower() if isinstance(props[k], bool) else str(props[k])
                  for k in QUEUE_ATTRIBUTES if k in props}
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(props["RedrivePolicy"])
    unknown = set(props) - set(QUEUE_ATTRIBUTES) - {"QueueName", "RedrivePolicy", "Tags", "RedriveAllowPolicy"}
    if unknown:
        raise TemplateError(f"{logical}: {sorted(unknown)} not emulated")
    # A dead-letter queue must exist before the queue whose redrive policy names it.
    target = props.get("RedrivePolicy", {}).get("deadLetterTargetArn")
    dead_letter = stack.logical_of(target) if target else None
    if dead_letter and not stack.provisioned(dead_letter):
        _queue(stack, sqs, dead_letter)
    if stack.provisioned(logical):
        return
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    stack.set_ref(logical, url)


def sender_identity(email_from: str) -> str:
    """The SES identity an EmailFrom parameter needs verified: its domain."""
    _, address = parseaddr(email_from)
    if "@" not in address:
        raise TemplateError(f"EmailFrom {email_from!r} is not an e-mail address")
    return address.split("@", 1)[1].lower()


BUCKET_HANDLED = {"BucketName", "BucketEncryption", "PublicAccessBlockConfiguration", "CorsConfiguration",
                  "LifecycleConfiguration", "NotificationConfiguration", "Tags"}


def _bucket_policy(stack: Stack, s3, logical: str) -> list[str]:
    """A bucket's policy, but for its statements that deny requests made without TLS: moto
    does evaluate a bucket policy on object reads, and every call in the emulator is plain HTTP
    on loopback, which stands in for the TLS every call has on AWS."""
    props = stack.properties(logical)
    document = dict(props["PolicyDocument"])
    kept, notes = [], []
    for statement in document.get("Statement", []):
        if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}} and statement["Effect"] == "Deny":
            notes.append(f"{logical}: {statement.get('Sid', 'a statement')} (TLS only) is not emulated: "
                         "the emulator's calls are plain HTTP on loopback")
        else:
            kept.append(statement)
    if kept:
        s3.put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(dict(document, Statement=kept)))
    return notes


def _bucket(stack: Stack, s3, logical: str) -> list[str]:
    """A bucket with what moto keeps of its settings (it enforces few of them: a presigned
    POST's policy and the public access block hold on AWS alone)."""
    props = stack.properties(logical)
    name = stack.ref(logical, logical)
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    if "BucketEncryption" in props:
        # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
        rules = [{("ApplyServerSideEncryptionByDefault" if k == "ServerSideEncryptionByDefault" else k): v
                  for k, v in rule.items()}
                 for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    if "CorsConfiguration" in props:
        # CloudFormation's MaxAge is the API's MaxAgeSeconds.
        rules = [{("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
                 for rule in props["CorsConfiguration"]["CorsRules"]]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    if "LifecycleConfiguration" in props:
        rules = [{("ID" if k == "Id" else k): v for k, v in rule.items()}
                 for rule in props["LifecycleConfiguration"]["Rules"]]
        for rule in rules:
            rule.setdefault("Filter", {"Prefix": rule.pop("Prefix", "")})
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    if "NotificationConfiguration" in props:
        _bucket_notifications(stack, s3, logical, name, props["NotificationConfiguration"])
    return [f"{logical}: {k} is not emulated" for k in sorted(set(props) - BUCKET_HANDLED)]


def _bucket_notifications(stack: Stack, s3, logical: str, bucket: str, configuration: dict) -> None:
    """A bucket's events sent to queues, as on AWS: moto sends them once set — but AWS refuses to
    set them unless each queue's policy lets S3 send to it, and so does the emulator."""
    unknown = set(configuration) - {"QueueConfigurations"}
    if unknown:
        raise TemplateError(f"{logical}: NotificationConfiguration {sorted(unknown)} not emulated")
    queues = []
    for entry in configuration.get("QueueConfigurations", []):
        if not _s3_may_send_to(stack, entry["Queue"]):
            raise TemplateError(f"{logical}: no AWS::SQS::QueuePolicy lets S3 send to {entry['Queue']} "
                                "(AWS refuses the bucket's notifications)")
        queues.append({"QueueArn": entry["Queue"], "Events": [entry["Event"]]})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": queues})


def _s3_may_send_to(stack: Stack, queue_arn: str) -> bool:
    for logical, _ in stack.of_type("AWS::SQS::QueuePolicy"):
        for statement in stack.properties(logical)["PolicyDocument"].get("Statement", []):
            principal = statement.get("Principal", {})
            actions = statement.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            resources = statement.get("Resource", [])
            resources = [resources] if isinstance(resources, str) else resources
            if (statement.get("Effect") == "Allow" and isinstance(principal, dict)
                    and principal.get("Service") == "s3.amazonaws.com"
                    and any(a in ("sqs:SendMessage", "sqs:*") for a in actions) and queue_arn in resources):
                return True
    return False
