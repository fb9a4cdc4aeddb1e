"""The matrix as one self-contained HTML page: inline CSS and script, no network. Rows are
rendered here (readable without script); the script only sorts and filters them. The filter
also reads `?q=`, `?verdict=` and `?class=` from the page's URL, so a filtered view can be linked."""

from html import escape
from importlib.resources import files

from conformance.reporting.matrix import FIXED, NEW, STILL, Matrix, Row, share
from conformance.triage import CLASSES

VERDICTS = ("passed", "failed", "errored", "skipped")
CHANGE_CLASS = {NEW: "chg-new", FIXED: "chg-fixed", STILL: "chg-still"}
MAX_FINDINGS_SHOWN = 3  # per row before the rest fold into <details>


def render(matrix: Matrix) -> str:
    template = files("conformance.reporting.matrix").joinpath("template.html").read_text(encoding="utf-8")
    title = "Telnyx API conformance matrix"
    return template.replace("<!--TITLE-->", escape(title)).replace("<!--BODY-->", _body(matrix, title))


def _body(matrix: Matrix, title: str) -> str:
    verdicts, classes, cov = matrix.verdicts(), matrix.classes(), matrix.coverage()
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">target <code>{escape(matrix.target)}</code> · spec sha256 '
        f"<code>{escape(matrix.spec_sha256[:12])}…</code> · seed <code>{matrix.seed}</code></p>",
        *(f'<p class="headline">{escape(line)}</p>' for line in matrix.headline),
        '<div class="cards">',
        *(
            f'<div class="card"><span class="v-{v}">{v}</span><b id="n-{v}">{verdicts.get(v, 0)}</b></div>'
            for v in VERDICTS
        ),
        *(f'<div class="card">{c} failures<b id="c-{c}">{classes.get(c, 0)}</b></div>' for c in CLASSES),
        "</div>",
        '<div class="cards">',
        _card("operations exercised", cov["exercised"], cov["operations"]),
        _card("documented responses observed", cov["responses_observed"], cov["responses_documented"]),
        _card("schema properties seen", cov["properties_seen"], cov["properties_documented"]),
        "</div>",
    ]
    if matrix.scenarios:
        parts.append(_scenarios(matrix))
    if matrix.compared_with is not None:
        parts.append(_comparison(matrix))
    parts.append(_tags(matrix))
    parts.append(_table(matrix))
    return "\n".join(parts)


def _scenarios(matrix: Matrix) -> str:
    from conformance.reporting.matrix import scenario_line

    rows = "".join(
        f'<tr><td><code>{escape(s["name"])}</code></td><td class="v-{escape(str(s.get("status")))}">'
        f"{escape(scenario_line(s))}</td><td>{escape(str(s.get('file', '')))}</td></tr>"
        for s in matrix.scenarios
    )
    return (
        f'<h2>Scenarios</h2><table id="scenarios"><tr><th>scenario</th><th>outcome</th><th>file</th></tr>{rows}</table>'
    )


def _card(name: str, part: int, whole: int) -> str:
    return (
        f'<div class="card">{escape(name)}<b>{share(part, whole)}</b><span class="muted">{part} / {whole}</span></div>'
    )


def _comparison(matrix: Matrix) -> str:
    out = [f"<h2>Compared with <code>{escape(matrix.compared_with or '')}</code></h2>", '<div class="cards">']
    changes = matrix.changes()
    for kind, rows in changes.items():
        out.append(f'<div class="card"><span class="chg {CHANGE_CLASS[kind]}">{kind}</span><b>{len(rows)}</b></div>')
    out.append("</div>")
    for kind, rows in changes.items():
        if rows:
            items = "".join(
                f"<li><code>{escape(r.key)}</code> {escape(r.label)}"
                f"{' — ' + escape(r.change_detail) if r.change_detail else ''}</li>"
                for r in rows
            )
            out.append(
                f'<details id="changes-{kind.replace(" ", "-")}"><summary>{kind}</summary><ul>{items}</ul></details>'
            )
    return "\n".join(out)


def _tags(matrix: Matrix) -> str:
    rows = []
    for tag, members in matrix.by_tag().items():
        counts = {v: sum(1 for r in members if r.status == v) for v in VERDICTS}
        findings = sum(len(r.findings) for r in members)
        rows.append(
            f"<tr><td>{escape(tag)}</td><td>{len(members)}</td>"
            + "".join(f"<td>{counts[v]}</td>" for v in VERDICTS)
            + f"<td>{findings}</td></tr>"
        )
    head = "".join(f"<th>{v}</th>" for v in VERDICTS)
    return (
        "<details><summary><b>Per tag</b></summary><table><thead><tr><th>tag</th><th>operations</th>"
        f"{head}<th>audit findings</th></tr></thead><tbody>{''.join(rows)}</tbody></table></details>"
    )


def _table(matrix: Matrix) -> str:
    compare = matrix.compared_with is not None
    options_v = "".join(f'<option value="{v}">{v}</option>' for v in VERDICTS)
    options_c = "".join(f'<option value="{c}">{c}</option>' for c in CLASSES)
    controls = (
        '<div class="controls"><input type="search" id="filter" placeholder="filter: tag, operation, check, rule…" '
        'aria-label="filter operations">'
        f'<select id="verdict" aria-label="verdict"><option value="">any verdict</option>{options_v}</select>'
        f'<select id="class" aria-label="failure class"><option value="">any class</option>{options_c}</select>'
        f'<span><b id="shown">{len(matrix.rows)}</b> of {len(matrix.rows)} operations</span></div>'
    )
    heads = [
        ("tag", "Tag", ""),
        ("operation", "Operation", ""),
        ("verdict", "Verdict", ""),
        ("checks", "Failed checks", ""),
        ("statuses", "Status codes: documented / observed", ""),
        ("responses", "Responses observed", "num"),
        ("properties", "Properties seen", "num"),
        ("findings", "Audit findings", "num"),
    ]
    if compare:
        heads.append(("change", "Change", ""))
    head = "".join(
        f'<th data-key="{key}"{f" data-type={chr(34)}{kind}{chr(34)}" if kind else ""}>{escape(name)}</th>'
        for key, name, kind in heads
    )
    body = "\n".join(_row(row, compare) for tag_rows in matrix.by_tag().values() for row in tag_rows)
    return (
        f'<h2>Operations</h2>{controls}<table id="ops"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'
    )


def _row(row: Row, compare: bool) -> str:
    checks = row.failed_checks()
    classes = sorted({cls for _, cls in checks})
    text = " ".join(
        [row.tag, row.operation_id or "", row.label, row.status, *(c for c, _ in checks), *classes]
        + [f["rule"] for f in row.findings]
        + [f.get("reason", "") for f in row.failures]
    ).lower()  # the filter box matches reasons too: "no spec finding", "own example", "documents no 401"
    cells = [
        f"<td>{escape(row.tag)}</td>",
        f'<td data-sort="{escape(row.key)}"><code>{escape(row.operation_id or "(no operationId)")}</code><br>'
        f'<span class="muted">{escape(row.label)}</span> <span class="muted">(line {row.line})</span></td>',
        f'<td><span class="verdict v-{row.status}">{row.status}</span>'
        + (f'<br><span class="muted">{escape(row.reason)}</span>' if row.reason else "")
        + "</td>",
        f'<td data-sort="{len(checks):04d}">{_checks(row)}</td>',
        f"<td>{_codes(row)}</td>",
        f'<td data-sort="{_ratio(len(row.responses_observed), len(row.documented))}">'
        f"{len(row.responses_observed)} / {len(row.documented)}</td>",
        f'<td data-sort="{_ratio(row.properties_seen, row.properties_documented)}">'
        f"{share(row.properties_seen, row.properties_documented)}"
        f' <span class="muted">({row.properties_seen} / {row.properties_documented})</span></td>',
        f'<td data-sort="{len(row.findings)}">{_findings(row)}</td>',
    ]
    if compare:
        change = row.change or ""
        cells.append(
            f'<td><span class="chg {CHANGE_CLASS.get(change, "")}">{escape(change)}</span>'
            + (f'<br><span class="muted">{escape(row.change_detail)}</span>' if row.change_detail else "")
            + "</td>"
        )
    return (
        f'<tr data-verdict="{row.status}" data-classes="{" ".join(classes)}" data-text="{escape(text)}">'
        + "".join(cells)
        + "</tr>"
    )


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.4f}" if whole else "-1"


def _checks(row: Row) -> str:
    if not row.failures:
        return ""
    items = []
    for check, cls in row.failed_checks():
        first = next(f for f in row.failures if f["check"] == check and f["classification"] == cls)
        reason = (
            f'<br><span class="muted reason">{escape(first.get("reason", ""))}</span>' if first.get("reason") else ""
        )
        items.append(
            f'<li title="{escape(first["message"])}"><code>{escape(check)}</code>'
            f'<span class="cls c-{cls}">{cls}</span>{reason}</li>'
        )
    return f'<ul class="plain">{"".join(items)}</ul>'


def _codes(row: Row) -> str:
    from conformance.reporting.coverage import response_key

    documented = " ".join(escape(code) for code in row.documented) or '<span class="muted">none</span>'
    observed = []
    for status, count in row.observed.items():
        known = response_key(status, row.documented) is not None
        css = "" if known else ' class="undoc" title="not documented"'
        observed.append(f"<span{css}>{status}×{count}</span>")
    return (
        f'<div class="codes">documented: {documented}</div>'
        f'<div class="codes">observed: {" ".join(observed) or "<span class=muted>none</span>"}</div>'
    )


def _findings(row: Row) -> str:
    if not row.findings:
        return ""

    def item(f: dict) -> str:
        where = "" if f["where"] == "operation" else ' <span class="muted">(schema)</span>'
        return (
            f'<li title="{escape(f["pointer"])}">line {f["line"]}: <code>{escape(f["rule"])}</code> '
            f"{escape(f['severity'])} — {escape(f['message'])}{where}</li>"
        )

    shown = "".join(item(f) for f in row.findings[:MAX_FINDINGS_SHOWN])
    rest = row.findings[MAX_FINDINGS_SHOWN:]
    more = (
        f'<details><summary>{len(rest)} more</summary><ul class="plain">{"".join(item(f) for f in rest)}</ul></details>'
        if rest
        else ""
    )
    return f'<ul class="plain">{shown}</ul>{more}'
