"""deploy/kubernetes/: an Indexed Job of shards and a merge Job on one shared volume.

The manifests are validated against the Kubernetes API's JSON Schemas that the
`kubernetes-validate` package bundles (offline, strict: no unknown field); where it is not
installed that test skips, and the required fields are asserted here all the same."""

from pathlib import Path
from typing import Any

import pytest

from conformance.cli import build_parser
from conformance.run.shards import Shard, resolve
from tests.deploy.conftest import KUBERNETES, invocations, load

KUBERNETES_VERSION = "1.30.0"  # the oldest minor still in upstream support when written; Indexed Jobs are GA since 1.24


def manifests() -> dict[str, dict[str, Any]]:
    found = {}
    for path in KUBERNETES:
        manifest = load(path)
        found[manifest["metadata"]["name"]] = manifest
    return found


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


@pytest.mark.parametrize("path", KUBERNETES, ids=lambda p: p.name)
def test_each_manifest_holds_under_the_api_schema(path: Path) -> None:
    validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed").validate
    validate(load(path), KUBERNETES_VERSION, strict=True)


def test_the_schema_check_would_catch_a_broken_job() -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="kubernetes-validate is not installed")
    job = manifests()["telnyx-conformance-shards"]
    job["spec"]["completions"] = "four"
    job["spec"]["template"]["spec"]["containers"][0]["volumeMount"] = []  # a typo: not a field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


def test_the_required_fields_are_there() -> None:
    for name, manifest in manifests().items():
        assert {"apiVersion", "kind", "metadata", "spec"} <= set(manifest), name
    kinds = {name: (m["apiVersion"], m["kind"]) for name, m in manifests().items()}
    assert kinds == {
        "telnyx-conformance": ("v1", "PersistentVolumeClaim"),
        "telnyx-conformance-shards": ("batch/v1", "Job"),
        "telnyx-conformance-merge": ("batch/v1", "Job"),
    }


def test_the_shards_are_an_indexed_job_whose_total_is_its_completions() -> None:
    job = manifests()["telnyx-conformance-shards"]
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    (container,) = spec["template"]["spec"]["containers"]
    total = int(_env(container)["TELNYX_SHARD_TOTAL"])
    assert spec["completions"] == spec["parallelism"] == total
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    (run,) = invocations("\n".join(container["args"]), {"SEED": "7", "RUN": "r", "JOB_COMPLETION_INDEX": "0"})
    assert run[0] == "run" and "--shard" not in run  # the Job's own index selects it
    args = build_parser().parse_args(run)
    for index in range(total):  # pod INDEX (0-based) runs shard INDEX+1 of N
        assert resolve(args.shard, {"JOB_COMPLETION_INDEX": str(index), "TELNYX_SHARD_TOTAL": str(total)}) == Shard(
            index + 1, total
        )


def test_shards_and_merge_share_one_volume_and_one_report_folder() -> None:
    found = manifests()
    claim = found["telnyx-conformance"]
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]  # N pods on N nodes write at once
    folders = {}
    for name in ("telnyx-conformance-shards", "telnyx-conformance-merge"):
        pod = found[name]["spec"]["template"]["spec"]
        assert [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]] == [claim["metadata"]["name"]]
        (container,) = pod["containers"]
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        assert mounts["/spec"]["readOnly"] is True and _env(container)["TELNYX_SPEC"] == "/spec/telnyx.yml"
        (argv,) = invocations(
            "\n".join(container["args"]), {"RUN": _env(container)["RUN"], "JOB_COMPLETION_INDEX": "K"}
        )
        folders[name] = argv
    shard_dir = folders["telnyx-conformance-shards"][folders["telnyx-conformance-shards"].index("--report-dir") + 1]
    merge = folders["telnyx-conformance-merge"]
    assert merge[0] == "merge" and merge[1] == shard_dir.replace("shard-K", "shard-*")
