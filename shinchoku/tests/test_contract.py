"""Contract tests against the live OpenAPI document (/api/openapi.json served by the app itself).

1. schemathesis generates requests for every operation from the document and calls the app in
   process (WSGI): no input may give a server error. Run anonymously and with a planning token.
   schemathesis is a test dependency ("schemathesis" in the ``test`` extras of pyproject.toml); when
   it is missing the test FAILS with that message — it is never skipped silently.
2. A boundary sweep that needs nothing but the document: every parameter of every operation, one at
   a time, gets hostile values (huge and negative integers, NUL, long text, wrong types); the answer
   must not be a server error and a 200 must carry the documented top-level fields.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from shinchoku.core.access import Access
from shinchoku.core.actions import create_api_token

try:  # pragma: no cover - depends on the environment
    import schemathesis
except ImportError:  # pragma: no cover
    schemathesis = None

MISSING = (
    "schemathesis is not installed. Add \"schemathesis>=4\" to [project.optional-dependencies] test in "
    "pyproject.toml and reinstall the test extras (pip install -e '.[test]'); the API contract test runs it "
    "against /api/openapi.json."
)


@pytest.fixture
def published(nakano_plan):
    nakano_plan.is_published = True
    nakano_plan.save()
    return nakano_plan


@pytest.fixture
def planner_token(db) -> str:
    return create_api_token(Access.system(), get_user_model().objects.get(username="planning"), "contract test")[1]


# --------------------------------------------------------------------------------------------------
# 1. schemathesis

if schemathesis is None:

    def test_schemathesis_finds_no_server_error():
        pytest.fail(MISSING)

else:
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    def _run_schemathesis(headers: dict | None = None, max_examples: int = 25) -> None:
        """Every operation of the live document, ``max_examples`` generated cases each, in process.

        The schema is loaded from the running app (WSGI) inside the test, so the requests see the test
        database; failures of all operations are collected and reported together.
        """
        from django.core.signals import request_finished, request_started
        from django.db import close_old_connections

        from shinchoku.wsgi import application

        # As Django's test client does: a WSGI request must not close the test's connection (on
        # PostgreSQL that would end the test transaction and every later request would fail).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            _run_operations(application, headers, max_examples)
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    def _run_operations(application, headers: dict | None, max_examples: int) -> None:
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @settings(max_examples=max_examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def check(case):
                response = case.call(headers=headers)
                case.validate_response(response, checks=[not_a_server_error])

            try:
                check()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report
                failures.append(f"{operation.label}: {str(exc)[:2000]}")
        assert operations >= 5, f"the OpenAPI document lists only {operations} operations"
        assert not failures, "\n\n".join(failures)

    def test_schemathesis_finds_no_server_error(published):
        _run_schemathesis()

    def test_schemathesis_finds_no_server_error_with_a_token(published, planner_token):
        _run_schemathesis({"Authorization": f"Bearer {planner_token}"})


# --------------------------------------------------------------------------------------------------
# 2. Boundary sweep from the document

HOSTILE = {
    "integer": [-1, 0, 1, 2**31, 2**63, 10**30, "1.5", "abc", ""],
    "string": ["", "○", "none", "x" * 5000, "\x00", "'; DROP TABLE plans_plan; --", "%", "令和5年度"],
    "boolean": ["true", "false", "maybe", "1"],
}
BODIES = [
    None, "{", "[]", {}, {"version": 1}, {"version": 10**30}, {"version": -1, "result": "x"},
    {"version": 1, "status": "○", "result": "x" * 30000}, {"version": 1, "result": "a\x00b"},
    {"version": 1, "status": None, "result": None}, {"raw_text": "x" * 301}, {"raw_text": "約 1 万件"},
    {"raw_text": "\x00"}, {"raw_text": 5}, '{"version": 1, "result": "\\ud800"}', '{"raw_text": "\\udfff"}',
]


def _schema_type(param: dict) -> str:
    s = param.get("schema", {})
    if "anyOf" in s:
        s = next((x for x in s["anyOf"] if x.get("type") != "null"), s)
    return s.get("type", "string")


def _required_fields(document: dict, operation: dict) -> list[str]:
    content = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    if not ref:
        return []
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]].get("required", [])


def _call(client, method: str, path: str, query: dict, body, token):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if method == "get":
        return client.get(path, query, **headers)
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
    return client.generic(method.upper(), path, data, content_type="application/json", **headers)


@pytest.mark.parametrize("authenticated", [False, True])
def test_boundary_values_never_cause_a_server_error(client, published, planner_token, authenticated):
    token = planner_token if authenticated else None
    document = client.get("/api/openapi.json").json()
    calls = 0
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            defaults = {p["name"]: 1 for p in params if p["in"] == "path"}
            defaults.update({"fiscal_year": 2023, "kind": "actual"} if "{kind}" in template else {})
            bodies = BODIES if "requestBody" in operation else [None]

            def path_with(values: dict) -> str:
                path = template
                for name, value in values.items():
                    path = path.replace("{" + name + "}", quote(str(value), safe=""))
                return path

            variants = [(dict(defaults), {}, body) for body in bodies]
            for p in params:
                for value in HOSTILE[_schema_type(p) if _schema_type(p) in HOSTILE else "string"]:
                    if p["in"] == "path":
                        variants.append(({**defaults, p["name"]: value}, {}, bodies[-1]))
                    elif p["in"] == "query":
                        variants.append((dict(defaults), {p["name"]: value}, None))
            for path_values, query, body in variants:
                response = _call(client, method, path_with(path_values), query, body, token)
                calls += 1
                assert response.status_code < 500, (method, path_with(path_values), query, body, response.content[:300])
                if method == "get" and response.status_code == 200:
                    missing = [f for f in _required_fields(document, operation) if f not in response.json()]
                    assert not missing, (template, missing)
    assert calls > 300
