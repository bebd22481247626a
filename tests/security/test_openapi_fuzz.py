"""Schemathesis over the whole OpenAPI of the app: no server error, no undocumented status.

Every operation gets a bounded number of generated requests (valid ones, then invalid ones),
sent as a province admin; a stateful run then follows the links between operations (an id in
one answer used in the next call). The database keeps what each request changed, so a failing
input would not replay the same way: failures are recorded as they happen (first one per
operation) instead of raised for Hypothesis to shrink, and the test fails at the end with all.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.conftest import Database
from tests.security.fuzzing import Target, fuzzed_app, seed

CHECKS = [not_a_server_error, status_code_conformance]
POSITIVE_EXAMPLES = 20
NEGATIVE_EXAMPLES = 8
STATEFUL_SCENARIOS = 30
STATEFUL_STEPS = 5
Failures = dict[str, str]


@pytest.fixture
async def target(db: Database) -> Target:
    return await seed(db)


def _without_api_key(headers: dict[str, Any] | None) -> dict[str, Any]:
    """The generated headers minus a made-up X-API-Key, which would win over the officer's token."""
    return {k: v for k, v in (headers or {}).items() if k.lower() != "x-api-key"}


def _checked(case: Any, response: Any, failures: Failures, name: str) -> None:
    """Run the checks on one answer; record the first failure of `name`."""
    try:
        case.validate_response(response, checks=CHECKS)
    except (Exception, BaseExceptionGroup) as error:
        failures.setdefault(name, str(error)[:3000])


def _fuzz(
    operation: Any, mode: GenerationMode, examples: int, headers: dict[str, str], failures: Failures
) -> None:
    name = f"{operation.label} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case: Any) -> None:
        case.headers = _without_api_key(case.headers)
        _checked(case, case.call(headers=headers), failures, name)

    with suppress(Unsatisfiable):  # no parameter to make invalid: nothing to try
        run()


def _report(failures: Failures) -> str:
    return "\n\n".join(f"== {name}\n{failure}" for name, failure in failures.items())


def test_no_server_error_and_no_undocumented_status_anywhere(target: Target) -> None:
    failures: Failures = {}
    with fuzzed_app(target) as app:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            _fuzz(operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, target.headers, failures)
            _fuzz(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, target.headers, failures)
    assert len(operations) > 80
    assert not failures, _report(failures)


def test_stateful_links_between_operations(target: Target) -> None:
    failures: Failures = {}
    answered: list[tuple[str, int]] = []
    with fuzzed_app(target) as app:
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        headers = target.headers

        class Flows(schema.as_state_machine()):  # type: ignore[misc]
            def before_call(self, case: Any) -> None:
                case.headers = {**_without_api_key(case.headers), **headers}

            def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
                answered.append((case.operation.label, response.status_code))
                _checked(case, response, failures, f"{case.operation.label} (stateful)")

        # What one scenario created stays for the next, so when Hypothesis replays a prefix it
        # may find other links to follow and stop the run; every answer until then was checked.
        with suppress(FlakyStrategyDefinition):
            Flows.run(
                settings=settings(
                    Flows.TestCase.settings, max_examples=STATEFUL_SCENARIOS,
                    stateful_step_count=STATEFUL_STEPS, derandomize=True, database=None,
                    deadline=None, phases=[Phase.generate],
                )
            )  # fmt: skip
    assert not failures, _report(failures)
    followed = [label for label, status in answered if "{" in label and status < 300]
    assert followed, answered  # links were followed: an id from one answer served another call
