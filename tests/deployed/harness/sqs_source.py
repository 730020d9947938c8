"""SQS event source mappings as Lambda runs them: pollers long-poll the queue, hand each batch
(up to BatchSize) to the function as an SQS event, and delete what succeeded. With
ReportBatchItemFailures only the records the function lists in `batchItemFailures` stay (an
invalid list fails the whole batch); a failed invocation leaves every record. Records that stay
reappear when their visibility timeout ends (the workers set it themselves for their backoff),
and moto moves them to the dead-letter queue after the redrive policy's maxReceiveCount.
ScalingConfig.MaximumConcurrency caps the pollers, hence the concurrent invocations; each
invocation also needs a unit of the account's concurrency (concurrency.py).

A throttled invocation is Lambda's to retry, not the queue's: as AWS documents for SQS event
sources, the poller keeps the batch and tries again with a growing backoff (which slows the
mapping down), until the records' visibility timeout ends; then it lets them go, and they come
back from the queue. `visibility_cap` (test only, --visibility-timeout-cap-secs) receives with
a shorter visibility timeout than the queue's, so that a failed batch comes back within a test."""

from __future__ import annotations

import asyncio
import base64
import time

from .runtime import LambdaFunction
from .topology import EventSource

THROTTLE_BACKOFF = (0.1, 2.0)  # first wait and longest, seconds (AWS does not publish its own)

LAMBDA_ATTRIBUTES = ("ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
                     "AWSTraceHeader", "SequenceNumber", "MessageGroupId", "MessageDeduplicationId")


def record(message: dict, source: EventSource, region: str) -> dict:
    attributes = {k: v for k, v in message.get("Attributes", {}).items() if k in LAMBDA_ATTRIBUTES}
    message_attributes = {}
    for name, value in message.get("MessageAttributes", {}).items():
        entry = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
        if "StringValue" in value:
            entry["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            entry["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        message_attributes[name] = entry
    out = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": source.queue.arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        out["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return out


class QueuePoller:
    def __init__(self, source: EventSource, function: LambdaFunction, sqs, region: str, max_instances: int,
                 visibility_cap: int | None = None):
        self.source = source
        self.function = function
        self.sqs = sqs
        self.region = region
        self.pollers = min(source.max_concurrency or max_instances, max_instances)
        self.visibility = source.queue.visibility_timeout if visibility_cap is None else \
            max(1, min(source.queue.visibility_timeout, visibility_cap))
        self.tasks: list[asyncio.Task] = []

    def start(self) -> None:
        if self.source.enabled:
            self.tasks = [asyncio.create_task(self._poll()) for _ in range(self.pollers)]

    def stop(self) -> None:
        for task in self.tasks:
            task.cancel()

    async def _receive(self) -> tuple[list[dict], float]:
        """A batch, and when its first records were received (their visibility ends first)."""
        wanted, window = self.source.batch_size, self.source.batching_window
        until = time.monotonic() + window
        messages: list[dict] = []
        first = 0.0
        while len(messages) < wanted:
            out = await asyncio.to_thread(
                self.sqs.receive_message, QueueUrl=self.source.queue.url, MaxNumberOfMessages=min(10, wanted - len(messages)),
                WaitTimeSeconds=1, AttributeNames=["All"], MessageAttributeNames=["All"],
                VisibilityTimeout=self.visibility)
            if out.get("Messages") and not messages:
                first = time.monotonic()
            messages += out.get("Messages", [])
            if not messages or time.monotonic() >= until:
                break
        return messages, first

    async def _poll(self) -> None:
        where = f"sqs {self.source.queue.logical}"
        while True:
            try:
                messages, received = await self._receive()
                if messages:
                    await self._deliver(messages, received, where)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # moto restarting, a stopped emulator: try again
                print(f"poller {self.source.logical}: {e}", flush=True)
                await asyncio.sleep(1)

    async def _deliver(self, messages: list[dict], received: float, where: str) -> None:
        event = {"Records": [record(m, self.source, self.region) for m in messages]}
        visible_again = received + self.visibility - 0.5  # a margin for the invocation to start
        backoff = THROTTLE_BACKOFF[0]
        while (result := await self.function.invoke(event, where)).throttled:
            if time.monotonic() + backoff >= visible_again:
                return  # let them go: they come back from the queue
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, THROTTLE_BACKOFF[1])
        if not result.ok:
            return  # every record comes back after its visibility timeout
        ids = {m["MessageId"] for m in messages}
        failed: set[str] = set()
        if self.source.report_failures:
            answer = result.json()
            failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
            listed = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures or []]
            failed = ids if any(i not in ids for i in listed) else set(listed)
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)]
            await asyncio.to_thread(self.sqs.delete_message_batch, QueueUrl=self.source.queue.url, Entries=entries)
