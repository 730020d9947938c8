#!/usr/bin/env python3
"""Runs the cfn-guard policy rules (infra/guard/*.guard) on the templates as CloudFormation deploys them.

    guard-templates.py [--require-cdk]
    guard-templates.py --self-test [-v]

Templates: template.yaml after the SAM transform (what `sam deploy` hands CloudFormation: each
AWS::Serverless::Function is an AWS::Lambda::Function with its generated AWS::IAM::Role, event
source mappings, schedules…), decoded and transformed by tests/deployed/harness/template.py; and
the CDK construct's synthesized template, infra/cdk/cdk.out/Missive.template.json, when it is
there (`npm run synth` in infra/cdk). Its absence is only reported, unless --require-cdk.

Each rule file is evaluated on its own, and reported PASS, FAIL (each finding: rule, resource,
the rule's message) or PENDING: the files in PENDING_RULE_FILES are not enforced yet, their
findings are printed but do not fail the run. Exit status 1 on any FAIL.

--self-test runs each rule file's unit tests instead: <name>_tests.yaml beside <name>.guard, in
the format of `cfn-guard test` (a list of {name, input, expectations: {rules: {rule: PASS|FAIL|SKIP}}}),
and requires every rule to be expected to FAIL on at least one input and PASS on another.

The engine is cfn-guard 3.0.1 (Rust) through the cfn-guard-rs wheel (infra/requirements-test.txt).
Its `run_checks` is not used: its Python report classes do not read cfn-guard 3's report (a failed
`or` raises AttributeError), and the compact report it asks for is cut to its last 8 KiB
(cfn-guard 3.0.1's validate_and_return_json returns BufWriter::buffer(), the unflushed tail).
`run_checks_rs(..., verbose=True)` returns the whole evaluation record instead, read here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:
    from cfn_guard_rs.cfn_guard_rs import CfnGuardMissingValue, CfnGuardParseError, run_checks_rs
except ImportError:
    sys.exit("guard: cfn-guard-rs is missing: .venv/bin/pip install -r infra/requirements-test.txt")

REPO = Path(__file__).resolve().parent.parent
GUARD_DIR = REPO / "infra" / "guard"
SAM_TEMPLATE = REPO / "template.yaml"
CDK_TEMPLATE = REPO / "infra" / "cdk" / "cdk.out" / "Missive.template.json"
REGION = "eu-west-1"  # the SAM transform needs one; the rules depend on none

# Rule files not enforced yet on one of the templates: run and printed as PENDING with their
# findings, never failing the run. Remove an entry to enforce it.
PENDING_RULE_FILES: dict[tuple[str, Path], str] = {}

sys.dont_write_bytecode = True  # as tests/deployed/smoke.py: no __pycache__ left in tests/deployed
sys.path.insert(0, str(REPO / "tests" / "deployed"))
from harness.template import TemplateError, decode, sam_transform  # noqa: E402


# ---------------------------------------------------------------------- evaluation
@dataclass
class Finding:
    rule: str
    resource: str  # a logical id, or "(template)"
    message: str


@dataclass
class Evaluation:
    statuses: dict[str, str]  # rule → PASS, FAIL or SKIP
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [rule for rule, status in self.statuses.items() if status == "FAIL"]


class GuardError(Exception):
    """A rule file cfn-guard cannot parse or run."""


# Records that test which values a query selects or whether a `when` applies: their failures
# are not findings.
_NOT_FINDINGS = {"Filter", "RuleCondition", "TypeCondition", "WhenCondition"}


def _kind(node: dict) -> tuple[str, object]:
    container = node["container"]
    if isinstance(container, dict):
        return next(iter(container.items()))
    return container, None


def _status(payload: object) -> str | None:
    """The PASS/FAIL/SKIP of a record's payload, wherever cfn-guard put it."""
    if isinstance(payload, str):
        return payload
    if isinstance(payload, dict):
        if isinstance(payload.get("status"), str):
            return payload["status"]
        for value in payload.values():
            found = _status(value) if isinstance(value, dict) else None
            if found:
                return found
    return None


def _find(value: object, key: str) -> object:
    """The first value of `key` in nested dicts and lists."""
    if isinstance(value, dict):
        if key in value:
            return value[key]
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found = _find(item, key)
            if found is not None:
                return found
    return None


def _failed_clauses(node: dict):
    """The clause checks that failed under a record, skipping what passed and query filters."""
    kind, payload = _kind(node)
    if kind in _NOT_FINDINGS:
        return
    if kind == "ClauseValueCheck":
        # An empty context is a filter's key comparison (Resources[ keys in %x ]), not a clause.
        if payload != "Success" and node["context"].strip() and _status(payload) == "FAIL":
            yield node
        return
    if _status(payload) in ("PASS", "SKIP"):
        return
    for child in node["children"]:
        yield from _failed_clauses(child)


def _resource(check: dict) -> str:
    """The logical id the failed value belongs to (its path is /Resources/<id>/…)."""
    origin = _find(check, "from")
    paths = re.findall(r'"path": "/Resources/([^/"]+)', json.dumps(origin if origin is not None else check))
    return paths[0] if paths else "(template)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def evaluate(rules: str, template: dict, source: str) -> Evaluation:
    try:
        record = json.loads(run_checks_rs(json.dumps(template), rules, True))
    except (CfnGuardParseError, CfnGuardMissingValue) as e:
        raise GuardError(f"{source}: {e}") from e
    except BaseException as e:  # a panic in the engine surfaces as pyo3's PanicException
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        raise GuardError(f"{source}: cfn-guard failed: {type(e).__name__}: {e}") from e

    evaluation = Evaluation({})
    for rule in record["children"]:
        kind, payload = _kind(rule)
        if kind != "RuleCheck":
            continue
        name, status = payload["name"], payload["status"]
        evaluation.statuses[name] = status
        if status != "FAIL":
            continue
        # Per resource: the rule's own messages; cfn-guard's when a failed clause has none.
        custom: dict[str, list[str]] = {}
        generic: dict[str, list[str]] = {}
        for clause in _failed_clauses(rule):
            check = clause["container"]["ClauseValueCheck"]
            resource = _resource(check)
            message = _find(check, "custom_message")
            if message and message.strip():
                target, text = custom, _one_line(message)
            else:
                target, text = generic, _one_line(_find(check, "message") or clause["context"])
            if text not in target.setdefault(resource, []):
                target[resource].append(text)
        for resource in sorted(set(custom) | set(generic)):
            for text in custom.get(resource) or generic[resource]:
                evaluation.findings.append(Finding(name, resource, text))
    return evaluation


# ---------------------------------------------------------------------- templates
def load_template(path: Path) -> dict:
    """A template as CloudFormation deploys it: SAM's transform applied when it declares one."""
    template = decode(path)
    transformed, _ = sam_transform(template, {}, REGION)
    return transformed


def rule_files() -> list[Path]:
    files = sorted(GUARD_DIR.glob("*.guard"))
    if not files:
        raise GuardError(f"no rule files in {GUARD_DIR.relative_to(REPO)}")
    unknown = {name for name, _ in PENDING_RULE_FILES} - {f.name for f in files}
    if unknown:
        raise GuardError(f"PENDING_RULE_FILES names files that do not exist: {sorted(unknown)}")
    return files


def check_template(label: str, source: Path, template: dict, files: list[Path]) -> tuple[int, int]:
    """Prints each rule file's result on one template; returns (files failed, files pending)."""
    print(f"==> {label}: {len(template.get('Resources', {}))} resources")
    width = max(len(f.name) for f in files)
    failed = pending = 0
    for path in files:
        evaluation = evaluate(path.read_text(), template, str(path.relative_to(REPO)))
        counts = {s: sum(1 for v in evaluation.statuses.values() if v == s) for s in ("PASS", "FAIL", "SKIP")}
        tally = f"{len(evaluation.statuses)} rules: {counts['PASS']} pass, {counts['FAIL']} fail, {counts['SKIP']} skip"
        skipped = [rule for rule, status in evaluation.statuses.items() if status == "SKIP"]
        if skipped:  # nothing in the template they apply to
            tally += f"; skipped: {', '.join(skipped)}"
        if (path.name, source) in PENDING_RULE_FILES:
            pending += 1
            print(f"  PENDING  {path.name:<{width}}  {tally}")
            print(f"           not enforced yet (PENDING_RULE_FILES): {PENDING_RULE_FILES[(path.name, source)]}"
                  + ("; it passes now: enforce it" if not evaluation.failed else ""))
        elif evaluation.failed:
            failed += 1
            print(f"  FAIL     {path.name:<{width}}  {tally}")
        else:
            print(f"  PASS     {path.name:<{width}}  {tally}")
        # Each finding: the rule, the resource, the rule's message (said once for the resources it shares).
        grouped: dict[tuple[str, str], list[str]] = {}
        for finding in evaluation.findings:
            grouped.setdefault((finding.rule, finding.message), []).append(finding.resource)
        for (rule, message), resources in grouped.items():
            print(f"           {rule}: {', '.join(resources)}")
            print(f"             {message}")
    return failed, pending


# ---------------------------------------------------------------------- unit tests
def self_test(files: list[Path], verbose: bool) -> tuple[int, int]:
    """Runs each rule file's <name>_tests.yaml; returns (expectations met, problems).

    verbose: prints what each case's failed rules found, to see that they caught the resource meant."""
    met = problems = 0
    for path in files:
        tests_path = path.with_name(f"{path.stem}_tests.yaml")
        if not tests_path.exists():
            print(f"  MISSING  {tests_path.relative_to(REPO)}")
            problems += 1
            continue
        rules = path.read_text()
        try:
            cases = yaml.safe_load(tests_path.read_text())
        except yaml.YAMLError as e:
            raise GuardError(f"{tests_path.relative_to(REPO)}: {e}") from e
        expected_somewhere: dict[str, set[str]] = {}
        rule_names: set[str] = set()
        mismatches, seen = [], []
        for case in cases:
            evaluation = evaluate(rules, case.get("input") or {}, f"{path.name} on {case['name']!r}")
            seen += [f"{case['name']}: {f.rule}: {f.resource}: {f.message[:60]}…" for f in evaluation.findings]
            rule_names |= set(evaluation.statuses)
            for rule, want in case["expectations"]["rules"].items():
                expected_somewhere.setdefault(rule, set()).add(want)
                got = evaluation.statuses.get(rule, "(no such rule)")
                met += got == want
                if got != want:
                    detail = "; ".join(f"{f.resource}: {f.message}" for f in evaluation.findings if f.rule == rule)
                    mismatches.append(f"{case['name']}: {rule} expected {want}, got {got}" + (f" ({detail})" if detail else ""))
        uncovered = sorted(r for r in rule_names if not {"PASS", "FAIL"} <= expected_somewhere.get(r, set()))
        unknown = sorted(set(expected_somewhere) - rule_names)
        if mismatches or uncovered or unknown:
            problems += len(mismatches) + len(uncovered) + len(unknown)
            print(f"  FAIL     {path.name}: {len(cases)} cases")
            for line in mismatches:
                print(f"             {line}")
            for rule in uncovered:
                print(f"             {rule}: no case expects both a FAIL and a PASS")
            for rule in unknown:
                print(f"             {rule}: expected by the tests, not in the rule file")
        else:
            print(f"  ok       {path.name}: {len(cases)} cases, each of its {len(rule_names)} rules seen to PASS and FAIL")
        if verbose:
            for line in seen:
                print(f"             {line}")
    return met, problems


# ---------------------------------------------------------------------- main
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--require-cdk", action="store_true", help=f"fail when {CDK_TEMPLATE.relative_to(REPO)} is missing")
    parser.add_argument("--self-test", action="store_true", help="run the rules' unit tests (<name>_tests.yaml) instead")
    parser.add_argument("-v", "--verbose", action="store_true", help="with --self-test: print each case's findings")
    args = parser.parse_args()
    started = time.monotonic()
    try:
        files = rule_files()
        if args.self_test:
            print(f"==> the rules' unit tests ({GUARD_DIR.relative_to(REPO)}/*_tests.yaml)")
            met, problems = self_test(files, args.verbose)
            print(f"guard self-test, {len(files)} rule files ({time.monotonic() - started:.1f} s):")
            print(f"{met} passed, {problems} failed")
            return 1 if problems else 0

        failed = pending = checked = 0
        for label, path in [("template.yaml after the SAM transform", SAM_TEMPLATE),
                            (str(CDK_TEMPLATE.relative_to(REPO)), CDK_TEMPLATE)]:
            if path == CDK_TEMPLATE and not path.exists():
                print(f"==> {label}: not there (run `npm run synth` in infra/cdk)"
                      + ("; --require-cdk: that is an error" if args.require_cdk else "; skipped"))
                if args.require_cdk:
                    failed += 1
                continue
            f, p = check_template(label, path, load_template(path), files)
            failed, pending, checked = failed + f, pending + p, checked + 1
    except (GuardError, TemplateError) as e:
        print(f"guard: {e}", file=sys.stderr)
        return 1
    print(f"guard: {len(files)} rule files on {checked} template(s): {failed} failed, {pending} pending"
          f" ({time.monotonic() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
