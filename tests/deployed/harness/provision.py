"""Creates the stack's data resources in moto, from their template properties: the DynamoDB
tables (keys, indexes, TTL, point-in-time recovery, encryption), the SQS queues (attributes and
redrive policies), the Secrets Manager secrets, the SES configuration sets. What lives outside the stack on AWS (the SES
identity EmailFrom must be verified as) is set up as an account precondition."""

from __future__ import annotations

import json
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
    return {name: session.client(name, endpoint_url=endpoint) for name in ("dynamodb", "sqs", "sesv2", "secretsmanager")}


def create(stack: Stack, aws: dict, verified_identities: list[str]) -> list[str]:
    """Creates everything; returns the notes worth printing (properties not emulated)."""
    notes: list[str] = []
    for logical, _ in stack.of_type("AWS::DynamoDB::Table"):
        notes += _table(stack, aws["dynamodb"], logical)
    for logical, _ in stack.of_type("AWS::SQS::Queue"):
        _queue(stack, aws["sqs"], logical)
    for logical, _ in stack.of_type("AWS::SecretsManager::Secret"):
        props = stack.properties(logical)
        if "SecretString" not in props:
            raise TemplateError(f"{logical}: only a SecretString is emulated (not GenerateSecretString)")
        name = stack.physical(logical, logical)["Name"]
        arn = aws["secretsmanager"].create_secret(Name=name, SecretString=props["SecretString"],
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


def _table(stack: Stack, dynamodb, logical: str) -> list[str]:
    props = stack.properties(logical)
    name = stack.ref(logical, logical)
    args = {k: props[k] for k in TABLE_PASSTHROUGH if k in props}
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
