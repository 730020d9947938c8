"""Lambda's concurrency: the account's pool of concurrent executions in the region, shared by
every function, and the reservations that functions take out of it.

- A function with `ReservedConcurrentExecutions: N` has exactly N: no other function can take
  them, and it never runs more than N at once (above, it is throttled even when the account has
  concurrency to spare). N = 0 throttles every invocation.
- The other functions share what is left, the unreserved pool (account limit − reservations).
- Lambda refuses a reservation that would leave the unreserved pool below its minimum: 100, or
  the whole limit when the account's limit is lower (a new account's 10 or 50: nothing can be
  reserved). The deployment fails with Lambda's own message. Tests that want reservations in a
  small pool lower that minimum themselves (`--min-unreserved-concurrency`, test only).

An invocation takes one unit when it is admitted and gives it back when it ends; one that finds
none is throttled at once (Lambda's 429 TooManyRequestsException), and its caller decides what
that means (API Gateway answers an error, an SQS event source backs off, an asynchronous invoke
retries). Counted per function for the journal: throttles, units in use, the peak.
"""

from __future__ import annotations

from dataclasses import dataclass

from .template import TemplateError
from .topology import Function

AWS_MIN_UNRESERVED = 100


@dataclass
class Usage:
    reserved: int | None  # None: the function draws on the unreserved pool
    in_use: int = 0
    peak: int = 0
    throttles: int = 0


class Throttled(Exception):
    """Lambda refused the invocation for lack of concurrency (a 429 TooManyRequestsException)."""

    def __init__(self, function: str, reason: str):
        super().__init__(f"Rate Exceeded. ({reason} for {function})")
        self.function = function
        self.reason = reason  # Lambda's ThrottleReason

    @property
    def error(self) -> dict:
        return {"errorType": "TooManyRequestsException", "errorMessage": str(self), "Reason": self.reason}


class ConcurrencyPool:
    def __init__(self, account_limit: int, functions: list[Function], min_unreserved: int | None = None):
        self.account_limit = account_limit
        self.min_unreserved = min(AWS_MIN_UNRESERVED, account_limit) if min_unreserved is None else min_unreserved
        self.usage = {f.short: Usage(f.reserved) for f in functions}
        reserved = sum(f.reserved or 0 for f in functions)
        self.unreserved_limit = account_limit - reserved
        if self.unreserved_limit < self.min_unreserved:
            # Lambda's answer to PutFunctionConcurrency (CloudFormation fails the function with it).
            raise TemplateError(
                f"the functions reserve {reserved} of the account's {account_limit} concurrent executions "
                f"({', '.join(f'{f.short} {f.reserved}' for f in functions if f.reserved is not None)}): "
                "Specified ReservedConcurrentExecutions for function decreases account's "
                f"UnreservedConcurrentExecution below its minimum value of [{self.min_unreserved}] "
                "(--account-concurrency, --min-unreserved-concurrency)")
        self.unreserved_in_use = 0

    def acquire(self, function: str) -> None:
        """Takes a unit for one invocation of `function`, or raises Throttled."""
        usage = self.usage[function]
        if usage.reserved is not None:
            if usage.in_use >= usage.reserved:
                usage.throttles += 1
                raise Throttled(function, "ReservedFunctionConcurrentInvocationLimitExceeded")
        elif self.unreserved_in_use >= self.unreserved_limit:
            usage.throttles += 1
            raise Throttled(function, "ConcurrentInvocationLimitExceeded")
        else:
            self.unreserved_in_use += 1
        usage.in_use += 1
        usage.peak = max(usage.peak, usage.in_use)

    def release(self, function: str) -> None:
        usage = self.usage[function]
        usage.in_use -= 1
        if usage.reserved is None:
            self.unreserved_in_use -= 1

    def as_json(self) -> dict:
        return {
            "accountLimit": self.account_limit,
            "unreserved": {"limit": self.unreserved_limit, "inUse": self.unreserved_in_use,
                           "minimum": self.min_unreserved},
            "functions": {name: {"reserved": u.reserved, "inUse": u.in_use, "peak": u.peak, "throttles": u.throttles}
                          for name, u in self.usage.items()},
        }
