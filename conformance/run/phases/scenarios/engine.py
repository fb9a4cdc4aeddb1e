"""Running one scenario against the target: each step sent in order with the values earlier
steps extracted, judged as the file says, the first step that does not answer as the flow
needs ending the scenario with one failure that names the scenario and the step.

A flow stops at its first broken step because every later step depends on it (no order, no
number to assign a profile to). The failure carries a curl per step sent, in order, so that
whoever reads the report replays the flow up to the break. The cleanup steps run at the end
whatever happened, unjudged, so a scenario leaves no profile or connection behind on a real
account when a step in the middle failed.
"""

from typing import Any

from conformance.checks.evidence import Page
from conformance.checks.failures import ScenarioStepFailed
from conformance.run.phases.pagination.walk import Client
from conformance.run.phases.scenarios.model import REFERENCE, Scenario, Step
from spec.pointer import get
from spec.telnyx import envelope_problems

_MISSING = object()


class Unresolved(LookupError):
    """A reference whose value the earlier answers did not hold (`${order.id}` with no `id`)."""


def run_scenario(client: Client, scenario: Scenario, max_pages: int) -> list[ScenarioStepFailed]:
    """The scenario's failures: none, or the one of the first step that broke."""
    values: dict[str, Any] = {}
    script: list[str] = []
    try:
        for number, step in enumerate(scenario.steps, 1):
            where = f"scenario {scenario.name!r}, step {number} {step.name!r} ({step.label})"
            try:
                page = _send(client, step, values)
            except Unresolved as exc:
                return [ScenarioStepFailed(operation=step.label, message=f"{where}: {exc}", step=number)]
            script.append(f"# {scenario.name}, step {number}: {step.name}\n{page.curl}")
            problem, pages = judge(client, step, page, values, max_pages)
            for extra in pages:
                script.append(f"# {scenario.name}, step {number}: {step.name} (next page)\n{extra.curl}")
            if problem is not None:
                shown = Page(page.status, page.body, "\n".join(script), page.query)
                return [
                    ScenarioStepFailed(operation=step.label, message=f"{where}: {problem}", step=number, page=shown)
                ]
    finally:
        _clean_up(client, scenario, values)
    return []


def _send(client: Client, step: Step, values: dict[str, Any]) -> Page:
    path = {name: _text(resolve(value, values)) for name, value in step.path.items()}
    query = {name: _text(resolve(value, values)) for name, value in step.query.items()}
    body = resolve(step.body, values) if step.body is not None else None
    method = step.operation.method.upper()
    return client.request(method, client.url(step.operation.path, path), query, json=body, label=step.label)


def judge(
    client: Client, step: Step, page: Page, values: dict[str, Any], max_pages: int
) -> tuple[str | None, list[Page]]:
    """What is wrong with the step's answer (None: nothing), and the further pages fetched to
    find a listed item; the values the step extracts are added to `values`."""
    if step.status and page.status not in step.status:
        return f"expected status {_either(step.status)}, got {page.status}{_detail(page)}", []
    if not step.status and not 200 <= page.status < 300:
        return f"expected a 2xx status, got {page.status}{_detail(page)}", []
    if step.error:
        problems = envelope_problems(page.body)
        if problems:
            return f"{page.status} without Telnyx's error envelope: {'; '.join(problems)}", []
    try:
        for pointer, wanted in step.values.items():
            expected, have = resolve(wanted, values), get(page.body, pointer, _MISSING)
            if have is _MISSING:
                return f"the answer has no {pointer} (expected {expected!r})", []
            if not same(have, expected):
                return f"{pointer} is {have!r}, expected {expected!r}", []
        pages: list[Page] = []
        if step.contains is not None:
            where = {name: resolve(value, values) for name, value in step.contains.where.items()}
            found, pages = _find(client, step, page, where, max_pages, values)
            if found is None:
                shown = ", ".join(f"{k}={v!r}" for k, v in where.items())
                return f"no item with {shown} in {step.contains.items} ({1 + len(pages)} page(s) walked)", pages
            if step.contains.bind:
                values[step.contains.bind] = found
    except Unresolved as exc:
        return str(exc), []
    for name, pointer in step.extract.items():
        value = get(page.body, pointer, _MISSING)
        if value is _MISSING or value is None or value == "":
            return f"nothing to extract as {name} at {pointer}", pages
        values[name] = value
    return None, pages


def _find(
    client: Client, step: Step, page: Page, where: dict[str, Any], max_pages: int, values: dict[str, Any]
) -> tuple[Any, list[Page]]:
    """The first item of the list matching `where`, walking `page[number]` while the answer's
    meta says there are more pages (at most `max_pages` in all)."""
    assert step.contains is not None
    fetched: list[Page] = []
    current, number = page, _int(step.query.get("page[number]")) or 1
    while True:
        items = get(current.body, step.contains.items, None)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and all(same(item.get(k, _MISSING), v) for k, v in where.items()):
                return item, fetched
        total = current.meta.get("total_pages")
        if not (isinstance(total, int) and number < total) or len(fetched) + 1 >= max_pages:
            return None, fetched
        number += 1
        query = {**{k: str(v) for k, v in current.query.items()}, "page[number]": str(number)}
        path = {name: _text(resolve(value, values)) for name, value in step.path.items()}
        url = client.url(step.operation.path, path)
        current = client.request("GET", url, query, label=step.label)
        if current.status != 200:
            return None, [*fetched, current]
        fetched.append(current)


def _clean_up(client: Client, scenario: Scenario, values: dict[str, Any]) -> None:
    """The cleanup steps whose references were extracted, errors ignored: best effort."""
    for step in scenario.cleanup:
        try:
            _send(client, step, values)
        except Exception:
            continue


def resolve(value: Any, values: dict[str, Any]) -> Any:
    """`value` with its `${name.field.0}` references replaced: a string that is one reference
    becomes the value itself (a number stays a number), a reference inside text its text."""
    if isinstance(value, dict):
        return {k: resolve(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, values) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = REFERENCE.fullmatch(value)
    if whole is not None:
        return _lookup(whole, values)
    return REFERENCE.sub(lambda m: _text(_lookup(m, values)), value)


def _lookup(match: Any, values: dict[str, Any]) -> Any:
    name, fields = match.group(1), [f for f in match.group(2).split(".") if f]
    if name not in values:
        raise Unresolved(f"{match.group(0)}: no value extracted yet")
    current = values[name]
    for part in fields:
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise Unresolved(f"{match.group(0)}: the value extracted as {name} has no {part!r}")
    return current


def same(have: Any, wanted: Any) -> bool:
    """Equal, or the same id written as a number and as text (`123` and `"123"`)."""
    if have is _MISSING:
        return False
    if have == wanted:
        return True
    scalar = (str, int, float)
    plain = not isinstance(have, bool) and not isinstance(wanted, bool)
    return plain and isinstance(have, scalar) and isinstance(wanted, scalar) and str(have) == str(wanted)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _either(statuses: tuple[int, ...]) -> str:
    return " or ".join(str(s) for s in statuses)


def _detail(page: Page) -> str:
    """The first error's title or detail, when the answer has one: why the step was refused."""
    errors = page.body.get("errors") if isinstance(page.body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    text = first.get("detail") or first.get("title")
    return f" ({str(text)[:200]})" if text else ""


__all__ = ["Unresolved", "judge", "resolve", "run_scenario", "same"]
