"""`webhooks send` against loopback consumers: a correct one passes every event; one mistake
each fails exactly under the variants that name it; consumers that hang, reset, answer garbage,
redirect or answer without end get verdicts, never a traceback; the private key is never written."""

import time
from pathlib import Path

import orjson
import pytest
from webhook_consumers import consumer, misbehaving

from conformance.server.webhooks.keys import read_private, secret_forms
from conformance.webhooks.report import summary_problems

# A data-wrapped event, a top-level (fax) one, one with two event types, and one without event_type or id.
SOME = (
    "--event",
    "call.answered",
    "--event",
    "fax.queued",
    "--event",
    "deliveryUpdate",
    "--event",
    "campaignStatusUpdate",
)


def _send(cli, url: str, private: Path, report: Path, *extra: str) -> tuple[int, str, str, dict]:
    code, out, err = cli(
        "webhooks", "send", "--url", url, "--private-key", str(private), "--report-dir", str(report), *extra
    )
    assert "Traceback" not in out + err
    document = orjson.loads((report / "summary.json").read_bytes())
    assert summary_problems(document) == []
    return code, out, err, document


def _failing(document: dict) -> dict[str, set[str]]:
    return {
        event: {name for name, case in cases.items() if case["verdict"] != "passed"}
        for event, cases in document["webhooks"]["events"].items()
    }


def test_a_correct_consumer_passes_every_event(tmp_path: Path, cli, keys) -> None:
    _public, private, public_b64 = keys
    started = time.monotonic()
    with consumer(public_b64) as url:
        code, out, _err, document = _send(cli, url, private, tmp_path / "r", "--max-examples", "1")
    assert code == 0, out[-2000:]
    assert time.monotonic() - started < 60
    events = document["webhooks"]["events"]
    assert len(events) == 64 and all(len(cases) == 13 for cases in events.values())
    assert document["webhooks"]["totals"] == {"cases": 832, "passed": 832, "failed": 0, "error": 0, "skipped": 0}
    junit = (tmp_path / "r" / "junit.xml").read_text()
    assert junit.count("<testcase ") == 832 and "<failure" not in junit
    assert "all verdicts hold: 832 cases over 64 events" in out


EXPECTED = {
    "accept-any-signature": {
        "wrong-key",
        "other-body-signature",
        "body-byte-changed",
        "body-whitespace-changed",
        "body-keys-reordered",
    },
    "skip-timestamp": {"stale-timestamp", "future-timestamp", "non-numeric-timestamp"},
    "reserialized-body": {"valid-raw-bytes", "body-whitespace-changed"},
    "accept-replays": {"replayed"},
}


@pytest.mark.parametrize("mistake", sorted(EXPECTED))
def test_each_mistake_fails_under_the_variants_that_name_it(tmp_path: Path, cli, keys, mistake: str) -> None:
    _public, private, public_b64 = keys
    with consumer(public_b64, mistake) as url:
        code, _out, _, document = _send(cli, url, private, tmp_path / "r", *SOME, "--max-examples", "2")
    assert code == 1
    failing = _failing(document)
    assert set(failing) == {"callAnswered", "fax.queued", "deliveryUpdate", "campaignStatusUpdate"}
    assert all(found == EXPECTED[mistake] for found in failing.values()), failing
    case = document["webhooks"]["events"]["callAnswered"][sorted(EXPECTED[mistake])[0]]
    assert case["curl"].startswith("curl -X POST ") and "telnyx-signature-ed25519: " in case["curl"]
    assert "telnyx-timestamp: " in case["curl"] or "missing-timestamp" in EXPECTED[mistake]


@pytest.mark.parametrize(
    ("kind", "verdicts"),
    [
        ("silent", {"error"}),
        ("reset", {"error"}),
        ("garbage", {"error"}),
        ("redirect", {"failed", "passed"}),  # valid: a 3xx is not 2xx; hostile: refused
        ("huge", {"passed", "failed"}),  # a 200 whose 100 MB body is never read whole
    ],
)
def test_a_misbehaving_consumer_gets_verdicts(tmp_path: Path, cli, keys, kind: str, verdicts: set[str]) -> None:
    _, private, _ = keys
    started = time.monotonic()
    with misbehaving(kind) as url:
        code, _out, err, document = _send(
            cli, url, private, tmp_path / "r", "--event", "call.answered", "--timeout", "0.3"
        )
    assert code == 1 and err == ""
    assert time.monotonic() - started < 13 * 0.3 + 10  # every delivery within its deadline
    cases = document["webhooks"]["events"]["callAnswered"]
    assert {case["verdict"] for case in cases.values()} == verdicts
    reason = cases["valid"]["reason"]
    expected = {
        "silent": "no answer within 0.3 s",
        "reset": "closed without an answer",
        "garbage": "not HTTP",
        "redirect": "a redirect to http://127.0.0.1:9/elsewhere, not followed",
        "huge": "answered 200",
    }[kind]
    assert expected in reason, reason


def test_the_private_key_is_written_nowhere(tmp_path: Path, cli, keys) -> None:
    """The sentinel key (seed "SENTINEL" x 4) in none of its spellings: not in the output, the
    reports or the curl reproductions, whether the deliveries pass or fail."""
    _public, private, public_b64 = keys
    forms = secret_forms(read_private(private))
    assert private.read_text().strip() == forms[0]
    outputs = []
    for mistake in ("accept-any-signature", "none"):
        with consumer(public_b64, mistake) as url:
            _, out, err, _ = _send(cli, url, private, tmp_path / mistake, *SOME)
        outputs += [out, err, *((tmp_path / mistake / name).read_text() for name in ("summary.json", "junit.xml"))]
    with misbehaving("redirect") as url:  # every valid delivery fails: each has a curl
        _code, out, err, _ = _send(cli, url, private, tmp_path / "redirect", *SOME)
    outputs += [out, err, *((tmp_path / "redirect" / name).read_text() for name in ("summary.json", "junit.xml"))]
    assert "curl -X POST" in outputs[-2]
    text = "\n".join(outputs)
    assert [form for form in forms if form in text or form.lower() in text.lower()] == []


def test_an_unknown_event_or_url_is_exit_2_in_one_line(tmp_path: Path, cli, keys) -> None:
    _, private, _ = keys
    code, out, err = cli("webhooks", "send", "--url", "ftp://x", "--private-key", str(private))
    assert code == 2 and err.count("\n") == 1 and "--url" in err
    code, out, err = cli(
        "webhooks", "send", "--url", "http://127.0.0.1:9/", "--private-key", str(private), "--event", "call.answerd"
    )
    assert code == 2 and err.count("\n") == 1 and "did you mean call.answered" in err and out == ""
