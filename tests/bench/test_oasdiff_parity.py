# ruff: noqa: E501 - the Go snippets keep oasdiff's one-line calls, which the harvester's patterns read
"""bench/oasdiff_harvest.py and oasdiff_parity.py without the oasdiff mirror: the shapes of Go
test the harvester reads (and the ones it skips, with why), the catalogue, the verdicts drawn
from a case, and a missing mirror refused with one line."""

import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import oasdiff_harvest as harvest  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings
import oasdiff_parity as parity  # noqa: E402

HELPERS = 'var (\n\tdeprecationFile      = dataFileFn("deprecation")\n)\n'

GO = """package checker_test

// a pair of whole files, one check, down to INFO
func TestWholePair(t *testing.T) {
	s1, err := open("../data/checker/request_property_max_length_set_base.yaml")
	require.NoError(t, err)
	s2, err := open("../data/checker/request_property_max_length_set_revision.yaml")
	require.NoError(t, err)

	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	require.NoError(t, err)
	errs := checker.CheckBackwardCompatibilityUntilLevel(singleCheckConfig(checker.RequestPropertyMaxLengthSetCheck), d, osm, checker.INFO)
	requireSingleChange(t, errs, checker.RequestPropertyMaxLengthSetId)
}

func TestNumbered(t *testing.T) {
	r := d(t, diff.NewConfig(), 1, 3)
	require.Len(t, r, 2)
	require.Equal(t, checker.ResponseSuccessStatusRemovedId, r[0].GetId())
	require.Equal(t, "request-parameter-removed", r[1].GetId(),
		"a message on the next line")
}

func TestHelperFolderAndNothing(t *testing.T) {
	s1, err := open(deprecationFile("deprecated-past.yaml"))
	require.NoError(t, err)
	s2, err := open(deprecationFile("sunset.yaml"))
	require.NoError(t, err)
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	require.NoError(t, err)
	c := singleCheckConfig(checker.APIRemovedCheck)
	errs := checker.CheckBackwardCompatibility(c, d, osm)
	require.Empty(t, errs)
}

func TestAbsent(t *testing.T) {
	s1, err := open("../data/a.yaml")
	require.NoError(t, err)
	s2, err := open("../data/b.yaml")
	require.NoError(t, err)
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	require.NoError(t, err)
	errs := checker.CheckBackwardCompatibility(allChecksConfig(), d, osm)
	requireNoChange(t, errs, checker.APIPathRemovedWithoutDeprecationId)
	require.True(t, containsId(errs, checker.EndpointAddedId), "message")
}

func TestLoops(t *testing.T) {
	s1, err := open("../data/checker/contains_added_base.yaml")
	require.NoError(t, err)
	s2, err := open("../data/checker/contains_added_revision.yaml")
	require.NoError(t, err)
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	require.NoError(t, err)
	errs := checker.CheckBackwardCompatibilityUntilLevel(singleCheckConfig(checker.APIAddedCheck), d, osm, checker.INFO)
	found := false
	for _, e := range errs {
		if e.GetId() == checker.EndpointAddedId {
			found = true
		}
	}
	require.True(t, found, "expected endpoint-added")
	ids := make(map[string]bool)
	for _, e := range errs {
		ids[e.GetId()] = true
	}
	require.True(t, ids[checker.APIRemovedWithoutDeprecationId], "a message")
	e0 := errs[0].(checker.ApiChange)
	require.Equal(t, "api-path-removed-without-deprecation", e0.Id)
}

func TestEdited(t *testing.T) {
	s1, err := open("../data/a.yaml")
	require.NoError(t, err)
	s2, err := open("../data/a.yaml")
	require.NoError(t, err)
	s2.Spec.Paths.Delete("/api/test")
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	errs := checker.CheckBackwardCompatibility(allChecksConfig(), d, osm)
	require.Empty(t, errs)
}

func TestEditedByAHelper(t *testing.T) {
	s1, err := open("../data/a.yaml")
	require.NoError(t, err)
	s2, err := open("../data/a.yaml")
	require.NoError(t, err)
	setRequestBodyType(t, s2, &openapi3.Types{"string"})
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	errs := checker.CheckBackwardCompatibility(allChecksConfig(), d, osm)
	require.Empty(t, errs)
}

func TestTable(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {})
	}
}

func TestVariableFile(t *testing.T) {
	s1, err := open(file)
	require.NoError(t, err)
}

func TestOptions(t *testing.T) {
	s1, err := open("../data/a.yaml")
	s2, err := open("../data/b.yaml")
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	errs := checker.CheckBackwardCompatibility(allChecksConfig(checker.WithAttributes([]string{"x-test"})), d, osm)
	require.Empty(t, errs)
}
"""

CONSTANTS = """const (
	RequestPropertyMaxLengthSetId = "request-property-max-length-set"
	ResponseSuccessStatusRemovedId = "response-success-status-removed"
	APIPathRemovedWithoutDeprecationId = "api-path-removed-without-deprecation"
	APIRemovedWithoutDeprecationId = "api-removed-without-deprecation"
	EndpointAddedId = "endpoint-added"
)"""
RULES = """
		newBackwardCompatibilityRule(RequestPropertyMaxLengthSetId, WARN, RequestPropertyMaxLengthSetCheck, DirectionRequest, AreaSchema, KindConstraints, ActionSet),
		newBackwardCompatibilityRule(APIPathRemovedWithoutDeprecationId, ERR, APIRemovedCheck, DirectionNone, AreaPaths, KindExistence, ActionRemove),
		newBackwardCompatibilityRule(APIRemovedWithoutDeprecationId, ERR, APIRemovedCheck, DirectionNone, AreaPaths, KindExistence, ActionRemove),
		newBackwardCompatibilityRule(EndpointAddedId, INFO, APIAddedCheck, DirectionNone, AreaPaths, KindExistence, ActionAdd),
"""


def _harvested() -> dict[str, harvest.Case | harvest.Skip]:
    folders = harvest.data_functions(HELPERS)
    return {r.test.split(":")[1]: r for r in harvest.harvest_source(GO, "x_test.go", folders)}


def test_the_shapes_of_a_whole_file_comparison_are_read() -> None:
    found = _harvested()
    assert found["TestWholePair"] == harvest.Case(
        "x_test.go:TestWholePair",
        "data/checker/request_property_max_length_set_base.yaml",
        "data/checker/request_property_max_length_set_revision.yaml",
        "RequestPropertyMaxLengthSetCheck",
        "INFO",
        ("RequestPropertyMaxLengthSetId",),
        exact=True,  # requireSingleChange: nothing else is expected
    )
    numbered = found["TestNumbered"]
    assert isinstance(numbered, harvest.Case) and numbered.check is None and numbered.level == "WARN"
    assert (numbered.base, numbered.revision) == ("data/openapi-test1.yaml", "data/openapi-test3.yaml")
    assert numbered.present == ('"request-parameter-removed"', "ResponseSuccessStatusRemovedId")
    assert numbered.exact  # require.Len(t, r, 2) and two ids
    nothing = found["TestHelperFolderAndNothing"]
    assert isinstance(nothing, harvest.Case) and nothing.empty and nothing.check == "APIRemovedCheck"
    assert (nothing.base, nothing.revision) == ("data/deprecation/deprecated-past.yaml", "data/deprecation/sunset.yaml")
    loops = found["TestLoops"]  # `for _, e := range errs` is not a table of cases
    assert isinstance(loops, harvest.Case) and loops.present == (
        '"api-path-removed-without-deprecation"',
        "APIRemovedWithoutDeprecationId",
        "EndpointAddedId",
    )
    absent = found["TestAbsent"]
    assert isinstance(absent, harvest.Case)
    assert absent.absent == ("APIPathRemovedWithoutDeprecationId",) and absent.present == ("EndpointAddedId",)
    assert not absent.exact


def test_what_cannot_be_compared_is_skipped_with_the_reason() -> None:
    found = _harvested()
    reasons = {name: r.reason for name, r in found.items() if isinstance(r, harvest.Skip)}
    assert reasons == {
        "TestEdited": "edits a loaded spec or the config in the test",
        "TestEditedByAHelper": "edits a loaded spec or the config in the test",
        "TestTable": "table-driven",
        "TestVariableFile": "file name not a literal (file)",
        "TestOptions": 'checker options: allChecksConfig(checker.WithAttributes([]string{"x-test"}))',
    }


def test_the_catalogue_gives_each_id_its_level_and_check() -> None:
    catalogue = harvest.catalogue(CONSTANTS, RULES)
    assert catalogue.id_of("RequestPropertyMaxLengthSetId") == "request-property-max-length-set"
    assert catalogue.id_of('"endpoint-added"') == "endpoint-added"
    assert catalogue.level("api-removed-without-deprecation") == "ERR"
    assert catalogue.ids_of_check("APIRemovedCheck") == [
        "api-path-removed-without-deprecation",
        "api-removed-without-deprecation",
    ]


@dataclass(frozen=True)
class _Level:
    label: str


@dataclass(frozen=True)
class _Change:
    rule: str
    level: _Level


def test_the_verdicts_of_a_case() -> None:
    catalogue = harvest.catalogue(CONSTANTS, RULES)
    found = _harvested()
    breaking = [_Change("request-property-bounds-tightened", _Level("breaking"))]
    whole = parity.checks_of(found["TestWholePair"], catalogue, breaking)  # WARN there, breaking here
    assert [(c.label, c.breaking, c.ours, c.agrees) for c in whole] == [
        ("request-property-max-length-set", False, "request-property-bounds-tightened (breaking)", False)
    ]
    removed = [_Change("operation-removed", _Level("breaking"))]
    nothing = parity.checks_of(found["TestHelperFolderAndNothing"], catalogue, removed)
    assert [(c.label, c.rules, c.agrees) for c in nothing] == [
        ("no change (APIRemovedCheck)", ("operation-removed",), False)
    ]
    assert all(c.agrees for c in parity.checks_of(found["TestHelperFolderAndNothing"], catalogue, []))
    more = [
        _Change("request-property-bounds-tightened", _Level("breaking")),
        _Change("operation-removed", _Level("breaking")),
    ]
    listed = parity.checks_of(
        found["TestWholePair"], catalogue, more
    )  # its check has no rule mapped to operation-removed
    assert [c.label for c in listed] == ["request-property-max-length-set"]
    extra = parity.checks_of(found["TestNumbered"], catalogue, removed)  # all checks, every change listed
    assert [(c.label, c.ours, c.agrees) for c in extra if c.label == "nothing else"] == [
        ("nothing else", "operation-removed (breaking)", False)
    ]


def test_a_missing_mirror_is_refused_with_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert parity.main(["--oasdiff-repo", str(tmp_path / "nowhere"), "--output-md", str(tmp_path / "d.md")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "oasdiff" in err and not (tmp_path / "d.md").exists()
