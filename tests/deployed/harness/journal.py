"""What happened, for tests to assert on (GET /_emulator/journal on the control port): function
errors, IAM denials, AWS calls the emulator could not name in IAM terms, e-mails SES accepted,
invocation counts, throttled invocations, sandboxes killed by a fault. Each error, denial and
kill is also printed to the emulator's stderr (throttles only counted: a flood makes hundreds)."""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Journal:
    errors: list[dict] = field(default_factory=list)
    denials: list[dict] = field(default_factory=list)
    unchecked: list[dict] = field(default_factory=list)
    emails: list[dict] = field(default_factory=list)
    invocations: Counter = field(default_factory=Counter)  # admitted (a throttled one is not counted)
    throttles: Counter = field(default_factory=Counter)
    throttle_sources: dict[str, Counter] = field(default_factory=dict)  # function → its callers' counts
    kills: list[dict] = field(default_factory=list)
    stopped: bool = False  # shutting down: the sandboxes' deaths are no news

    def _add(self, kind: list, entry: dict, line: str) -> None:
        if self.stopped:
            return
        kind.append(dict(entry, at=time.time()))
        print(line, file=sys.stderr, flush=True)

    def error(self, function: str, source: str, error: dict) -> None:
        self._add(self.errors, {"function": function, "source": source, **error},
                  f"FUNCTION ERROR {function} ({source}): {error.get('errorType')}: {error.get('errorMessage')}")

    def denial(self, function: str, action: str, resource: str) -> None:
        self._add(self.denials, {"function": function, "action": action, "resource": resource},
                  f"IAM DENIED {function}: {action} on {resource}")

    def not_checked(self, function: str, request: str) -> None:
        self._add(self.unchecked, {"function": function, "request": request},
                  f"IAM NOT CHECKED {function}: {request} (iam.py cannot name it)")

    def throttle(self, function: str, source: str) -> None:
        if self.stopped:
            return
        self.throttles[function] += 1
        self.throttle_sources.setdefault(function, Counter())[source] += 1

    def kill(self, function: str, source: str, calls: list[str]) -> None:
        self._add(self.kills, {"function": function, "source": source, "afterCalls": len(calls), "calls": calls},
                  f"FAULT KILLED {function} ({source}) at its AWS call {len(calls)}: {calls[-1]} "
                  f"(made before it: {', '.join(calls[:-1]) or 'none'})")

    def email(self, function: str, message: dict) -> None:
        self.emails.append(dict(message, function=function, at=time.time()))

    def as_json(self) -> dict:
        return {"errors": self.errors, "denials": self.denials, "unchecked": self.unchecked,
                "emails": self.emails, "invocations": dict(self.invocations), "throttles": dict(self.throttles),
                "throttleSources": {f: dict(c) for f, c in self.throttle_sources.items()}, "kills": self.kills}
