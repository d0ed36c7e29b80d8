"""Schemathesis over GET /openapi.json, in-process (WSGI) on a temporary SQLite store.

`test_schemathesis_openapi_sqlite` runs schemathesis' default phases on every operation of the
document (examples, of which it has none; coverage; fuzzing, positive and negative data) with
ALL the default checks. Before it the store holds three seed articles, and hooks swap generated
path parameters (and feedback `article_id`s) for their ids half the time, so GETs answer 200 as
well as 404. `test_schemathesis_stateful_sqlite` runs the stateful phase (scenarios following the
document's links and those schemathesis infers), where use_after_free and
ensure_resource_availability apply. Everything is deterministic: fixed seed, derandomized
Hypothesis, no example database; the same counts come out run after run.

`test_schemathesis_case_count` runs last: it prints the cases per operation and status and
asserts that at least MIN_CASES were sent (the issue's acceptance line: "all default checks, at
least 500 generated cases"). One kind of failure is dropped, by `content_refusal` below.

SQLite only: the generated requests are the same on both stores, and the other API tests cover
PostgreSQL. tests/api/schemathesis.toml runs the same checks with the CLI against a live server.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.openapi.checks import RejectedPositiveData

from tests.api.conftest import make_app, seed_payload

MIN_CASES = 500
# Hypothesis examples per operation in the fuzzing phase (positive and negative together); the
# coverage phase adds its own deterministic cases on top.
MAX_EXAMPLES = 100
# The stateful phase: scenarios chaining the operations along the document's links and the ones
# schemathesis infers (POST /v1/articles -> GET/DELETE /v1/articles/{article_id}, GET its story, ...).
STATEFUL_SCENARIOS = 50
STATEFUL_STEPS = 6
SEED = 20240601
# Keeps generated articles short (longer is a 422 naming the field); the seeds are under 5,000.
MAX_ARTICLE_CHARS = 6000

# How service/api/problems.py opens the detail of a 422 for a body that fails validation.
SCHEMA_MISMATCH = "the request does not match the schema"
# Cross-field rules JSON Schema cannot state (the document says them in words); a positive case
# that breaks one is rightly refused with 422.
INEXPRESSIBLE_RULES = {("end", "'end' comes before 'start'")}

CASES: Counter[str] = Counter()  # by operation
STATUSES: Counter[tuple[str, int]] = Counter()  # by operation and response status
PHASES: Counter[str] = Counter()  # by schemathesis phase (examples, coverage, fuzzing)
SECONDS: defaultdict[str, float] = defaultdict(float)  # time spent in requests and checks, by operation
UNSCORABLE: Counter[str] = Counter()  # positive cases refused for their content (see content_refusal)


@schemathesis.hook("filter_failure")
def content_refusal(
    context: schemathesis.HookContext, failure: Any, case: schemathesis.Case, response: schemathesis.Response
) -> bool:
    """Keep every failure but one kind: a schema-valid article refused because its content cannot be scored.

    A global hook: it applies to this module's in-process run and to a CLI run against a live
    server that loads this module as its hooks (tests/api/schemathesis.toml).

    positive_data_acceptance stays on with its default statuses; only its 422s whose problem
    says the request passed validation and the article's text could not be scored are dropped
    (e.g. HTML with no extractable body, text with nothing left after cleaning): no JSON Schema
    can tell such texts apart. A 422 for a schema mismatch ("the request does not match the
    schema: ...") still fails the run, unless it names a rule in INEXPRESSIBLE_RULES.
    """
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 422:
        return True
    problem = response.json()
    if not isinstance(problem, dict) or not problem.get("type", "").endswith("/invalid-input"):
        return True
    detail = str(problem.get("detail", ""))
    if detail.startswith(SCHEMA_MISMATCH):
        errors = problem.get("errors")
        rules = {
            (field, str(message))
            for field, messages in (errors.items() if isinstance(errors, dict) else ())
            for message in (messages if isinstance(messages, list) else [messages])
        }
        if not rules or not rules <= INEXPRESSIBLE_RULES:
            return True
    UNSCORABLE[f"{case.method} {case.operation.path}: {detail[:80]}"] += 1
    return False


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            # Hypothesis' only timing-dependent check; a loaded CI machine must not fail the run.
            "suppress-health-check": ["too_slow"],
        }
    )


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory, resources: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The app on a fresh SQLite store holding seeds 000-002; yields it and the ids worth hitting."""
    path: Path = tmp_path_factory.mktemp("schemathesis") / "store.db"
    app = make_app(f"sqlite:///{path}", max_article_chars=MAX_ARTICLE_CHARS)
    client = app.test_client()
    # content_refusal tells validation errors from unscorable content by this prefix: make sure it holds.
    mismatch = client.post("/v1/score", json={"text": "x", "title": 5})
    assert mismatch.status_code == 422 and mismatch.json["detail"].startswith(SCHEMA_MISMATCH), mismatch.json
    ingested = []
    for number in range(3):
        response = client.post("/v1/articles", json=seed_payload(number))
        assert response.status_code == 201, response.json
        ingested.append(response.json)
    known = {
        # GETs read seeds 000 and 001; DELETE removes seed 002, which the test puts back.
        "article_id": [ingested[0]["article_id"], ingested[1]["article_id"]],
        "delete_article_id": [ingested[2]["article_id"]],
        "story_id": sorted({item["story_id"] for item in ingested[:2]}),
        "domain": [seed_payload(0)["source"], seed_payload(1)["source"].upper()],
    }
    yield app, known
    app.extensions["reliability"].store.dispose()


@pytest.fixture(scope="module")
def api_schema(seeded_app: tuple[Any, dict[str, Any]]) -> Any:
    app, known = seeded_app
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=_config())

    @schema.hook("flatmap_path_parameters")
    def _known_ids(context: schemathesis.HookContext, path_parameters: dict[str, Any]) -> Any:
        """Half the time, the generated path parameters; else the ids of stored seeds."""
        operation = context.operation
        if operation is None or not path_parameters:
            return st.just(path_parameters)
        options = []
        for name in path_parameters:
            key = "delete_article_id" if operation.method.upper() == "DELETE" and name == "article_id" else name
            options.append(known.get(key, []))
        if not all(options):
            return st.just(path_parameters)
        replaced = st.fixed_dictionaries(
            {name: st.sampled_from(values) for name, values in zip(path_parameters, options, strict=True)}
        )
        return st.one_of(st.just(path_parameters), replaced)

    @schema.hook("flatmap_body")
    def _known_feedback_article(context: schemathesis.HookContext, body: Any) -> Any:
        """Feedback on a stored article (else every verdict is 404)."""
        operation = context.operation
        if operation is None or operation.path != "/v1/feedback" or not isinstance(body, dict):
            return st.just(body)
        if not isinstance(body.get("article_id"), str):
            return st.just(body)
        return st.one_of(
            st.just(body),
            st.sampled_from(known["article_id"]).map(lambda article_id: {**body, "article_id": article_id}),
        )

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_schemathesis_openapi_sqlite(case: schemathesis.Case, seeded_app: tuple[Any, dict[str, Any]]) -> None:
    """All default checks on every operation of /openapi.json (SQLite store, in-process)."""
    app, known = seeded_app
    CASES[case.operation.label] += 1
    PHASES[case.meta.phase.name.value if case.meta is not None else "unknown"] += 1
    response = None
    started = time.perf_counter()
    try:
        response = case.call_and_validate()
    finally:
        SECONDS[case.operation.label] += time.perf_counter() - started
        if response is not None:
            STATUSES[case.operation.label, response.status_code] += 1
        # Keep the store's state steady: put the deleted seed back.
        deleted = response is None or response.status_code == 204
        if case.method == "DELETE" and deleted and case.path_parameters.get("article_id") in known["delete_article_id"]:
            app.test_client().post("/v1/articles", json=seed_payload(2))


def test_schemathesis_stateful_sqlite(api_schema: Any, seeded_app: tuple[Any, dict[str, Any]], tmp_path: Path) -> None:
    """The stateful phase: all default checks, including use_after_free and ensure_resource_availability.

    Each scenario starts on an empty store of its own: Hypothesis replays scenarios and expects the
    same responses, which a store carrying the articles of earlier scenarios would not give (a text
    stored before answers 200, not 201). The app the schema was loaded from forwards to the fresh one
    (Flask's documented `app.wsgi_app` middleware slot).
    """
    app, _ = seeded_app
    machine = api_schema.as_state_machine()
    fresh: list[Any] = []

    class Counted(machine):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            super().setup()
            scenario = make_app(
                f"sqlite:///{tmp_path / f'scenario{len(fresh)}.db'}", max_article_chars=MAX_ARTICLE_CHARS
            )
            fresh.append(scenario)
            app.wsgi_app = scenario

        def teardown(self) -> None:
            fresh[-1].extensions["reliability"].store.dispose()
            super().teardown()

        def call(self, case: schemathesis.Case, **kwargs: Any) -> schemathesis.Response:
            started = time.perf_counter()
            try:
                return super().call(case, **kwargs)
            finally:
                SECONDS[f"stateful: {case.operation.label}"] += time.perf_counter() - started

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case) -> None:
            super().after_call(response, case)
            label = f"stateful: {case.operation.label}"
            CASES[label] += 1
            PHASES["stateful"] += 1
            STATUSES[label, response.status_code] += 1

    try:
        Counted.run(
            settings=hypothesis.settings(
                max_examples=STATEFUL_SCENARIOS,
                stateful_step_count=STATEFUL_STEPS,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=[hypothesis.HealthCheck.too_slow],
            )
        )
    finally:
        app.__dict__.pop("wsgi_app", None)  # back to Flask.wsgi_app
        for scenario in fresh:
            scenario.extensions["reliability"].store.dispose()


def test_schemathesis_case_count() -> None:
    """Runs after the schemathesis test: at least MIN_CASES cases went through all the checks."""
    if not any(phase in PHASES for phase in ("examples", "coverage", "fuzzing")):
        pytest.skip("test_schemathesis_openapi_sqlite did not run")
    total = sum(CASES.values())
    phases = ", ".join(f"{phase}: {n}" for phase, n in sorted(PHASES.items()))
    print(f"\nschemathesis: {total} cases over {len(CASES)} operations ({phases})")
    for label, count in sorted(CASES.items()):
        statuses = ", ".join(f"{status}: {n}" for (op, status), n in sorted(STATUSES.items()) if op == label)
        print(f"  {count:5d}  {label:48} {SECONDS[label]:5.1f}s  ({statuses})")
    if UNSCORABLE:
        print(f"  {sum(UNSCORABLE.values())} schema-valid articles refused as unscorable (422):")
        for reason, count in UNSCORABLE.most_common():
            print(f"  {count:5d}  {reason}")
    assert total >= MIN_CASES, f"only {total} generated cases, fewer than {MIN_CASES}"
