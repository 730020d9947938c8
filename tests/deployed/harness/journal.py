"""What happened, for tests to assert on (GET /_emulator/journal on the control port): function
errors, IAM denials, AWS calls the emulator could not name in IAM terms, e-mails SES accepted,
invocation counts. Each entry is also printed to the emulator's stderr."""

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
    invocations: Counter = field(default_factory=Counter)
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

    def email(self, function: str, message: dict) -> None:
        self.emails.append(dict(message, function=function, at=time.time()))

    def as_json(self) -> dict:
        return {"errors": self.errors, "denials": self.denials, "unchecked": self.unchecked,
                "emails": self.emails, "invocations": dict(self.invocations)}
