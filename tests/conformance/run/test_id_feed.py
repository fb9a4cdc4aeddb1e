"""conformance.run.id_feed: ids seen in answers reach later path parameters, valid for valid only."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.run.id_feed import COLLECTION, collection_of, observe, register
from spec.index import build_index
from strategies.ids import IdPool

UUID = {"type": "string", "format": "uuid"}
SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/things/{id}": {
            "get": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": UUID}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}
SEEN = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_collection_of_a_path() -> None:
    assert collection_of("/things/{id}") == collection_of("/things") == "/things"
    assert collection_of("/a/{a_id}/b/{id}", "a_id") == "/a"


def test_observe_keeps_ids_of_successful_json_answers_only() -> None:
    pool = IdPool()
    body = b'{"data": [{"id": "x1", "owner_id": "o1"}, {"id": 7}]}'
    observe(pool, "/things", 200, "application/json", body)
    assert pool.snapshot(COLLECTION + "/things") == ("x1", "7")
    assert pool.snapshot("owner_id") == ("o1",)
    observe(pool, "/things", 404, "application/json", b'{"data": [{"id": "lost"}]}')
    observe(pool, "/things", 200, "text/plain", b'{"data": [{"id": "text"}]}')
    assert "lost" not in pool.snapshot() and "text" not in pool.snapshot()


def _draws(mode: str, pool: IdPool) -> list[str]:
    schema = schemathesis.openapi.from_dict(SPEC)
    index = build_index(SPEC)
    register(schema, pool, index, {f"{op.method.upper()} {op.path}": op for op in index.operations})
    operation = schema["/things/{id}"]["GET"]
    seen: list[str] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))
        seen.append(str(data.draw(strategy).path_parameters["id"]))

    draw()
    return seen


def test_seen_ids_replace_valid_path_parameters_some_of_the_time() -> None:
    pool = IdPool()
    pool.add(SEEN, COLLECTION + "/things")
    pool.add("not-a-uuid", COLLECTION + "/things")  # seen, but invalid for the parameter: never used
    values = _draws("positive", pool)
    assert SEEN in values and "not-a-uuid" not in values
    assert any(value != SEEN for value in values)  # generated values are still tried


def test_invalid_path_parameters_are_never_swapped() -> None:
    pool = IdPool()
    pool.add(SEEN, COLLECTION + "/things")
    assert SEEN not in _draws("negative", pool)


def test_the_ids_offered_are_fixed_for_the_operations_test() -> None:
    """Hypothesis replays draws; ids seen after the operation's first draw are not offered, or
    a replay could draw differently (FlakyStrategyDefinition)."""
    pool = IdPool()
    pool.add(SEEN, COLLECTION + "/things")
    schema = schemathesis.openapi.from_dict(SPEC)
    index = build_index(SPEC)
    register(schema, pool, index, {f"{op.method.upper()} {op.path}": op for op in index.operations})
    operation = schema["/things/{id}"]["GET"]
    later = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    seen: list[str] = []

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        seen.append(str(data.draw(operation.as_strategy()).path_parameters["id"]))
        pool.add(later, COLLECTION + "/things")  # the pool grows while the test runs

    draw()
    assert SEEN in seen and later not in seen
