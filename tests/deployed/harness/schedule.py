"""Schedules (AWS::Scheduler::Schedule, AWS::Events::Rule): the target function is invoked with
the scheduler's default event (or the target's Input) at the template's rate, or every
`--schedule-every-ms` when given. Invocations are asynchronous: a slow one does not hold the
next back. A throttled one is retried as Lambda retries an asynchronous event it could not run
for lack of concurrency: after 1 s, then twice as long each time up to 5 minutes, for 6 hours."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from .runtime import LambdaFunction, Result
from .template import ACCOUNT, TemplateError
from .topology import Schedule

# Lambda's asynchronous retries of a throttled event: first wait, longest wait, how long at most.
THROTTLE_RETRY = (1.0, 300.0, 6 * 3600.0)


class Ticker:
    def __init__(self, schedule: Schedule, function: LambdaFunction, region: str, every_ms: int | None):
        self.schedule = schedule
        self.function = function
        self.region = region
        # --schedule-every-ms compresses the schedules of a minute or less (the scheduler's), and
        # those without a rate; a slower one (the canary's five minutes) keeps its rate, and a
        # test fires it when it wants (POST /_emulator/schedules/fire?function=…).
        fast = schedule.every_ms is None or schedule.every_ms <= 60_000
        self.every_ms = (every_ms if fast else None) or schedule.every_ms
        if not self.every_ms:
            raise TemplateError(f"{schedule.logical}: its expression is not a rate(…): pass --schedule-every-ms")
        self.task: asyncio.Task | None = None
        self.pending: set[asyncio.Task] = set()

    def event(self) -> bytes:
        if self.schedule.input is not None:
            return self.schedule.input.encode()
        source = "aws.scheduler" if ":scheduler:" in self.schedule.arn else "aws.events"
        return json.dumps({
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": source,
            "account": ACCOUNT, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": self.region,
            "resources": [self.schedule.arn], "detail": {},
        }).encode()

    async def _invoke(self) -> Result:
        event, source = self.event(), f"schedule {self.schedule.logical}"
        wait, longest, within = THROTTLE_RETRY
        give_up = time.monotonic() + within
        while (result := await self.function.invoke(event, source)).throttled and time.monotonic() + wait < give_up:
            await asyncio.sleep(wait)
            wait = min(wait * 2, longest)
        return result

    def fire(self) -> asyncio.Task:
        task = asyncio.create_task(self._invoke())
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return task

    def _never_overlaps(self) -> bool:
        """On AWS a schedule whose rate is longer than its function's timeout never has two
        invocations at once: the previous one has ended (or timed out) before the next is due.
        A compressed schedule (`--schedule-every-ms`) keeps that: a tick is skipped while the
        previous invocation runs — else a slow pass (the scheduler's eight Queries, on a busy
        moto) piles up passes that would never overlap on AWS, until every one times out."""
        return bool(self.schedule.every_ms) and self.schedule.every_ms / 1000 > self.function.function.timeout

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_ms / 1000)
            if self.pending and self._never_overlaps():
                continue
            self.fire()

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self.task:
            self.task.cancel()
        for task in list(self.pending):  # events still waiting for a throttled retry
            task.cancel()
