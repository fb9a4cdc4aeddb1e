"""The matrix page in a real browser: headless Chromium (Debian's `chromium`) opens the file,
driven over the DevTools protocol. The test reads the rendered table, types into the filter box,
picks a verdict, sorts a column, and saves a screenshot. Skipped only where Chromium is absent
(`.ci/run` installs it)."""

import base64
import itertools
import json
import os
import queue
import shutil
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.matrix import build, html
from conformance.reporting.results import OperationResult
from spec.load import load_spec

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (`apt-get install chromium`; .ci/run installs it)"
)
START_TIMEOUT = 30.0


def matrix_page(spec_path: Path, directory: Path) -> Path:
    loaded = load_spec(spec_path)
    index = loaded.index()

    def op(operation_id: str, method: str, path: str, status: str, failures: list[tuple[str, str]]) -> dict:
        return {
            "operation_id": operation_id,
            "method": method,
            "path": path,
            "status": status,
            "failures": [
                {"check": c, "classification": k, "message": f"{c} failed", "curl": None} for c, k in failures
            ],
        }

    summary = {
        "target": {"base_url": "http://127.0.0.1:9/v2"},
        "spec": {"sha256": loaded.sha256},
        "seed": 3,
        "operations": [
            op("FindAddresses", "GET", "/addresses", "passed", []),
            op("CreateAddress", "POST", "/addresses", "failed", [("status_code_conformance", "spec")]),
            op("GetUserBalance", "GET", "/balance", "failed", [("response_schema_conformance", "server")]),
            op("ListConferences", "GET", "/conferences", "skipped", []),
        ],
    }
    observed = {
        "GET /addresses": OperationResult("FindAddresses", "GET", "/addresses", observed_statuses=Counter({200: 4})),
        "GET /balance": OperationResult("GetUserBalance", "GET", "/balance", observed_statuses=Counter({200: 2})),
    }
    lines = {p: pos[0] for p, pos in loaded.locator.locate_all([o.pointer for o in index.operations]).items()}
    page = directory / "matrix.html"
    page.write_text(html.render(build(summary, observed, index, lines)), encoding="utf-8")
    return page


class DevTools:
    """A minimal DevTools-protocol client over one page's websocket."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=15))
            if message.get("id") == call_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message["result"]

    def js(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")


def devtools_port(process: subprocess.Popen[str]) -> int:
    """The port Chromium announces on stderr ("DevTools listening on ws://127.0.0.1:PORT/...")."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if "DevTools listening on ws://" in line:
            return int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    raise AssertionError(f"Chromium did not start: {''.join(seen)[-500:]}")


@pytest.fixture
def browser(tmp_path: Path) -> Any:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1400,1000",
        "about:blank",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        yield devtools_port(process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def page_socket(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
        targets = json.load(answer)
    return next(t for t in targets if t.get("type") == "page")["webSocketDebuggerUrl"]


def navigate(tools: DevTools, url: str) -> None:
    tools.call("Page.navigate", url=url)
    deadline = time.monotonic() + 15
    while tools.js("document.readyState + ' ' + location.href") != f"complete {url}":
        assert time.monotonic() < deadline, f"{url} did not load"
        time.sleep(0.05)


SELECT = "(s => {{ s.value = '{value}'; s.dispatchEvent(new Event('change')); }})(document.getElementById('{id}'))"
VISIBLE = (  # the operationIds of the rows the filters leave visible, in table order
    "Array.from(document.querySelectorAll('#ops tbody tr')).filter(r => !r.hidden)"
    ".map(r => r.cells[1].innerText.split('\\n')[0])"
)


def test_matrix_page_renders_filters_sorts_and_screenshots(
    browser: int, shared_spec_path: Path, tmp_path: Path
) -> None:
    from websockets.sync.client import connect

    page = matrix_page(shared_spec_path, tmp_path)
    with connect(page_socket(browser), max_size=None, open_timeout=10) as ws:
        tools = DevTools(ws)
        tools.call("Page.enable")
        navigate(tools, page.as_uri())
        assert tools.js("document.title") == "Telnyx API conformance matrix"
        assert tools.js(VISIBLE) == ["FindAddresses", "CreateAddress", "GetUserBalance", "ListConferences"]
        assert tools.js("document.getElementById('n-failed').textContent") == "2"
        assert tools.js("document.getElementById('shown').textContent") == "4"

        # typing into the filter box (real key input, not a value assignment)
        tools.js("document.getElementById('filter').focus()")
        tools.call("Input.insertText", text="balance")
        assert tools.js(VISIBLE) == ["GetUserBalance"]
        assert tools.js("document.getElementById('shown').textContent") == "1"

        # a filter on a check name; then cleared with a key press, and the selects instead
        tools.js("document.getElementById('filter').select()")
        tools.call("Input.insertText", text="status_code_conformance")
        assert tools.js(VISIBLE) == ["CreateAddress"]
        tools.js("document.getElementById('filter').select()")
        for kind in ("keyDown", "keyUp"):
            tools.call("Input.dispatchKeyEvent", type=kind, key="Backspace", code="Backspace", windowsVirtualKeyCode=8)
        assert len(tools.js(VISIBLE)) == 4
        tools.js(SELECT.format(id="verdict", value="failed"))
        assert sorted(tools.js(VISIBLE)) == ["CreateAddress", "GetUserBalance"]
        tools.js(SELECT.format(id="class", value="server"))
        assert tools.js(VISIBLE) == ["GetUserBalance"]

        # sorting: a click on the Operation header orders rows by operationId, a second reverses
        tools.js(SELECT.format(id="class", value=""))
        tools.js(SELECT.format(id="verdict", value=""))
        tools.js("document.querySelector('th[data-key=operation]').click()")
        names = ["CreateAddress", "FindAddresses", "GetUserBalance", "ListConferences"]
        assert tools.js(VISIBLE) == names
        tools.js("document.querySelector('th[data-key=operation]').click()")
        assert tools.js(VISIBLE) == names[::-1]

        # a filtered view can be linked: ?verdict= is applied on load
        navigate(tools, page.as_uri() + "?verdict=skipped")
        assert tools.js(VISIBLE) == ["ListConferences"]
        navigate(tools, page.as_uri())
        shot = base64.b64decode(tools.call("Page.captureScreenshot", format="png")["data"])
    assert shot.startswith(b"\x89PNG\r\n\x1a\n") and len(shot) > 10_000
    directory = Path(os.environ.get("TELNYX_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "matrix.png").write_bytes(shot)
