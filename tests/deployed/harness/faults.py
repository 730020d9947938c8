"""Faults AWS has under stress, injected on request (test only) and drawn from a seeded random
generator so that a run can be repeated: set at start (`--faults JSON`, `--push-throttle`,
`--push-latency-ms`, `--fault-seed`) or at run time (`POST /_emulator/faults`, the same JSON),
read with their counters at `GET /_emulator/faults`.

- **push**: `POST @connections` (a function pushing a frame to a socket) is delayed by a fixed
  or random latency, and refused at a given rate as API Gateway's management API refuses a
  throttled call: HTTP 429 with `x-amzn-ErrorType: LimitExceededException` (its model's
  error, `httpError` 429, which the SDK reads from that header). A refused push sends nothing.
- **kill**: the sandbox running an invocation is SIGKILLed as the invocation makes its k-th AWS
  call (through its egress; that call is not made) — or its k-th call of one action, e.g. its
  first `sqs:SendMessage` — so that part of its work happened and part did not. The invocation
  fails as Lambda reports a dead runtime (`Runtime.ExitError`); for an SQS batch nothing is
  deleted and its records come back after their visibility timeout. Which invocations: those of
  one function (its short name, e.g. `notify-worker`) or of every queue-triggered one (`*`),
  optionally of one queue's event source only; the next N that reach their k-th call, or each
  with a given probability.

    {"seed": 18,
     "push": {"throttle": 0.05, "latencyMs": [0, 20]},
     "kill": {"function": "notify-worker", "queue": "FanoutQueue", "call": "sqs:SendMessage",
              "afterCalls": 1, "next": 1}}

`"kill": null` disarms; an omitted family keeps its settings; a new seed restarts every draw.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


def _rate(value, what: str) -> float:
    rate = float(value)
    if not 0 <= rate <= 1:
        raise ValueError(f"{what}: a probability between 0 and 1, not {value!r}")
    return rate


def latency_range(value) -> tuple[float, float]:
    """`20`, `"20"`, `"0-20"` or `[0, 20]` (milliseconds) → (low, high)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    elif isinstance(value, str) and "-" in value.strip().lstrip("-"):
        low_text, high_text = value.split("-", 1)
        low, high = float(low_text), float(high_text)
    else:
        low = high = float(value)
    if not 0 <= low <= high:
        raise ValueError(f"latencyMs: expected 0 ≤ low ≤ high milliseconds, not {value!r}")
    return low, high


@dataclass
class PushFaults:
    throttle: float = 0.0
    latency_ms: tuple[float, float] = (0.0, 0.0)
    random: random.Random = field(default_factory=random.Random)
    posts: int = 0
    throttled: int = 0
    delayed_ms: float = 0.0

    def parse(self, rule: dict) -> tuple[float, tuple[float, float]]:
        """(throttle, latency) as `rule` sets them, the current ones where it says nothing."""
        if not isinstance(rule, dict):
            raise ValueError("push: an object")
        unknown = set(rule) - {"throttle", "latencyMs"}
        if unknown:
            raise ValueError(f"push: unknown settings {sorted(unknown)}")
        throttle = _rate(rule["throttle"], "push.throttle") if "throttle" in rule else self.throttle
        return throttle, latency_range(rule["latencyMs"]) if "latencyMs" in rule else self.latency_ms

    def draw(self) -> tuple[float, bool]:
        """For one POST @connections: (seconds to wait first, whether it is then refused)."""
        self.posts += 1
        low, high = self.latency_ms
        wait_ms = self.random.uniform(low, high) if high > 0 else 0.0
        refused = self.throttle > 0 and self.random.random() < self.throttle
        self.delayed_ms += wait_ms
        self.throttled += refused
        return wait_ms / 1000, refused

    def as_json(self) -> dict:
        return {"throttle": self.throttle, "latencyMs": list(self.latency_ms),
                "posts": self.posts, "throttled": self.throttled, "delayedMs": round(self.delayed_ms, 1)}


@dataclass
class KillRule:
    function: str  # a function's short name, or "*": every function an SQS event source invokes
    after_calls: int  # the invocation dies as it makes this AWS call (1: before any)
    call: str | None = None  # counting only the calls of this action (dynamodb:PutItem, sqs:SendMessage…)
    queue: str | None = None  # only invocations by this queue's event source (its logical id)
    next: int | None = None  # the next N invocations that reach their k-th call…
    rate: float | None = None  # …or each invocation with this probability

    @classmethod
    def parse(cls, rule: dict) -> "KillRule":
        if not isinstance(rule, dict):
            raise ValueError("kill: an object, or null to disarm")
        unknown = set(rule) - {"function", "afterCalls", "call", "queue", "next", "rate"}
        if unknown:
            raise ValueError(f"kill: unknown settings {sorted(unknown)}")
        after = int(rule.get("afterCalls", 1))
        if after < 1:
            raise ValueError("kill.afterCalls: 1 or more")
        if ("next" in rule) == ("rate" in rule):
            raise ValueError("kill: give either next (how many invocations) or rate (a probability)")
        if not rule.get("function"):
            raise ValueError("kill.function: a function's short name (notify-worker…) or *")
        return cls(function=str(rule["function"]), after_calls=after, call=rule.get("call"), queue=rule.get("queue"),
                   next=int(rule["next"]) if "next" in rule else None,
                   rate=_rate(rule["rate"], "kill.rate") if "rate" in rule else None)


@dataclass
class KillFaults:
    rule: KillRule | None = None
    random: random.Random = field(default_factory=random.Random)
    killed: int = 0

    def doom(self, function: str, source: str) -> KillRule | None:
        """At an invocation's start: the rule it is to die by, if it is to die."""
        rule = self.rule
        if rule is None:
            return None
        if rule.function == "*" and not source.startswith("sqs "):
            return None
        if rule.function not in ("*", function):
            return None
        if rule.queue is not None and source != f"sqs {rule.queue}":
            return None
        if rule.rate is not None:
            return rule if self.random.random() < rule.rate else None
        return rule if rule.next else None

    @staticmethod
    def due(rule: KillRule, calls: list[str]) -> bool:
        """Whether the call just made (the last of `calls`) is the one the doomed invocation dies at."""
        if rule.call is None:
            return len(calls) == rule.after_calls
        return calls[-1] == rule.call and calls.count(rule.call) == rule.after_calls

    def take(self) -> bool:
        """A doomed invocation reached its call: whether it dies (`next` may be spent by now)."""
        rule = self.rule
        if rule is None:
            return False
        if rule.next is not None:
            if rule.next <= 0:
                return False
            rule.next -= 1
        self.killed += 1
        return True

    def as_json(self) -> dict:
        rule = self.rule
        armed = None if rule is None else {
            "function": rule.function, "queue": rule.queue, "call": rule.call, "afterCalls": rule.after_calls,
            **({"next": rule.next} if rule.next is not None else {"rate": rule.rate})}
        return {"rule": armed, "killed": self.killed}


@dataclass
class Faults:
    seed: int | None = None
    push: PushFaults = field(default_factory=PushFaults)
    kill: KillFaults = field(default_factory=KillFaults)

    def reseed(self, seed: int | None) -> None:
        # One generator per family: turning one family on does not shift the other's draws.
        self.seed = seed
        self.push.random.seed(f"{seed}:push")
        self.kill.random.seed(f"{seed}:kill")

    def configure(self, wanted: dict) -> None:
        """Applies a JSON body (see the module's doc), all of it or, when something in it is
        wrong, none of it (ValueError names what)."""
        if not isinstance(wanted, dict):
            raise ValueError("expected a JSON object")
        unknown = set(wanted) - {"seed", "push", "kill"}
        if unknown:
            raise ValueError(f"unknown fault families: {sorted(unknown)}")
        seed = int(wanted["seed"]) if "seed" in wanted else None
        push = self.push.parse(wanted["push"] or {"throttle": 0, "latencyMs": 0}) if "push" in wanted else None
        kill = KillRule.parse(wanted["kill"]) if wanted.get("kill") is not None else None
        if "seed" in wanted:
            self.reseed(seed)
        if push is not None:
            self.push.throttle, self.push.latency_ms = push
        if "kill" in wanted:
            self.kill.rule = kill

    def as_json(self) -> dict:
        return {"seed": self.seed, "push": self.push.as_json(), "kill": self.kill.as_json()}
