"""`durations.json`: what each operation's tests cost in a run, in seconds and requests.

Every run writes it beside summary.json (an operation's own test, its pagination walk and its
lifecycle, timed where pytest runs them); `run --shard K/N --durations FILE` packs the next
run's shards by it (conformance/run/shards.py), and `merge` writes the union of the shards'.

    {"operations": {"GET /addresses": {"seconds": 1.234, "requests": 42}, ...},
     "totals": {"seconds": 12.5, "requests": 420}}
"""

from pathlib import Path
from typing import Any

import orjson

from conformance.reporting.results import Results

DURATIONS = "durations.json"


def document(results: Results) -> dict[str, Any]:
    """The durations of every operation whose tests ran, in the results' order."""
    operations = {
        label: {"seconds": round(float(op.cost["seconds"]), 3), "requests": int(op.cost["requests"])}
        for label, op in results.operations.items()
        if op.cost
    }
    totals = {
        "seconds": round(sum(entry["seconds"] for entry in operations.values()), 3),
        "requests": sum(entry["requests"] for entry in operations.values()),
    }
    return {"operations": operations, "totals": totals}


def write_durations(results: Results, report_dir: Path) -> Path:
    from conformance.reporting.files import atomic_write

    data = orjson.dumps(document(results), option=orjson.OPT_INDENT_2) + b"\n"
    return atomic_write(report_dir / DURATIONS, data)


def parse_durations(raw: bytes) -> dict[str, float]:
    """Seconds per "METHOD /path" from a durations.json's bytes; ValueError when it is not one."""
    try:
        data = orjson.loads(raw)
        entries = data["operations"]
        return {str(label): float(entry["seconds"]) for label, entry in entries.items()}
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"not a durations.json: {type(exc).__name__}") from None
