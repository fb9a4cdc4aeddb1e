"""strategies.deep_object: page and filter objects valid for the spec's deepObject parameters."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies.deep_object import filter_objects, page_objects
from tests.strategies.conftest import assert_valid

SETTINGS = settings(max_examples=60, deadline=None, database=None)
PARAMETERS = "/components/parameters"
ADDRESS_FILTER = f"{PARAMETERS}/FilterConsolidated"
SIM_ACTIONS_FILTER = f"{PARAMETERS}/FilterSIMCardActionsConsolidated"


def addresses_page(index):  # type: ignore[no-untyped-def]
    """The `page` parameter of GET /addresses, as the operation declares it."""
    operation = next(o for o in index.operations if o.path == "/addresses" and o.method == "get")
    return next((p, v) for p, v in index.parameters(operation) if v.get("name") == "page")


def deep_object_parameters(index, name: str) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    """Every distinct deepObject parameter called `name` in the spec, as (schema pointer, parameter),
    but those whose schema jsonschema-rs cannot compile (e.g. OAS 3.0's boolean `exclusiveMinimum`
    in this 3.1 document): the audit reports those, and nothing validates against them."""
    found = {}
    for operation in index.operations:
        for pointer, parameter in index.parameters(operation):
            if parameter.get("name") == name and parameter.get("style") == "deepObject" and "schema" in parameter:
                found[pointer] = parameter
    return [
        (f"{pointer}/schema", parameter) for pointer, parameter in sorted(found.items()) if compiles(index, pointer)
    ]


def compiles(index, pointer: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        index.schema_validator(f"{pointer}/schema")
    except Exception:
        return False
    return True


def resolver(index):  # type: ignore[no-untyped-def]
    return lambda node: index.deref("", node)[1]


@SETTINGS
@given(data=st.data())
def test_addresses_page_objects_are_valid_and_meaningful(index, data) -> None:  # type: ignore[no-untyped-def]
    pointer, parameter = addresses_page(index)
    page = data.draw(page_objects(parameter))
    assert_valid(index, f"{pointer}/schema", page)
    assert page.get("number", 1) >= 1
    assert 1 <= page.get("size", 1) <= parameter["schema"]["properties"]["size"]["maximum"]


@settings(max_examples=150, deadline=None, database=None)
@given(data=st.data())
def test_every_page_parameter_of_the_spec(index, data) -> None:  # type: ignore[no-untyped-def]
    pointer, parameter = data.draw(st.sampled_from(deep_object_parameters(index, "page")))
    page = data.draw(page_objects(parameter, resolve=resolver(index)))
    assert_valid(index, pointer, page)
    assert page.get("number", 1) >= 1 and page.get("size", 1) >= 1


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data())
def test_every_filter_parameter_of_the_spec(index, data) -> None:  # type: ignore[no-untyped-def]
    pointer, parameter = data.draw(st.sampled_from(deep_object_parameters(index, "filter")))
    value = data.draw(filter_objects(parameter, resolve=resolver(index)))
    assert_valid(index, pointer, value)


@SETTINGS
@given(data=st.data())
def test_enum_and_uuid_leaves_come_from_the_schema(index, data) -> None:  # type: ignore[no-untyped-def]
    schema = index.doc["components"]["parameters"]["FilterSIMCardActionsConsolidated"]["schema"]
    value = data.draw(filter_objects(schema))
    assert_valid(index, f"{SIM_ACTIONS_FILTER}/schema", value)
    for key, leaf in value.items():
        if "enum" in schema["properties"][key]:
            assert leaf in schema["properties"][key]["enum"]


def test_observed_values_are_drawn(index) -> None:  # type: ignore[no-untyped-def]
    schema = index.doc["components"]["parameters"]["FilterConsolidated"]["schema"]
    drawn: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(filter_objects(schema, observed={"customer_reference.eq": ["ref-42"], "address_book": ["false", 7]}))
    def collect(value: dict) -> None:
        assert_valid(index, f"{ADDRESS_FILTER}/schema", value)
        reference = value.get("customer_reference")
        if isinstance(reference, dict) and "eq" in reference:
            drawn.add(reference["eq"])
        if "eq" in value.get("address_book", {}):
            assert value["address_book"]["eq"] != 7  # an observed value of the wrong type is never used

    collect()
    assert "ref-42" in drawn


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: page_objects("page"), "schema='page'"),
        (lambda: page_objects({"type": "object"}), "schema has no `properties`"),
        (lambda: page_objects({"properties": {"number": {}}}, max_number=0), "max_number=0"),
        (lambda: page_objects({"properties": {"size": {"minimum": 10, "maximum": 5}}}), "page size minimum=10"),
        (lambda: filter_objects({"properties": {}}, observed=["a"]), "observed=['a']"),
        (lambda: filter_objects({"properties": {}}, resolve=1), "resolve=1"),
        (lambda: filter_objects({"$ref": "#/x"}), "pass resolve="),
    ],
)
def test_bad_arguments_are_named(build, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument, match=re.escape(name)):
        build()
