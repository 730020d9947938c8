"""Schedules (AWS::Scheduler::Schedule, AWS::Events::Rule): the target function is invoked with
the scheduler's default event (or the target's Input) at the template's rate, or every
`--schedule-every-ms` when given. Invocations are asynchronous: a slow one does not hold the
next back."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from .runtime import LambdaFunction
from .template import ACCOUNT, TemplateError
from .topology import Schedule


class Ticker:
    def __init__(self, schedule: Schedule, function: LambdaFunction, region: str, every_ms: int | None):
        self.schedule = schedule
        self.function = function
        self.region = region
        self.every_ms = every_ms or schedule.every_ms
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

    def fire(self) -> asyncio.Task:
        task = asyncio.create_task(self.function.invoke(self.event(), f"schedule {self.schedule.logical}"))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        return task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every_ms / 1000)
            self.fire()

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self.task:
            self.task.cancel()
