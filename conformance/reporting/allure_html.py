"""`telnyx-conformance report`: render a run's Allure results as HTML with Allure 3.

Allure 3 is the npm package `allure` (Node.js). It is installed once into the user cache
(`~/.cache/telnyx-conformance/allure`, never globally) with npm, and run from there. Without
Node.js, or when npm cannot fetch the package, the command says what to install and exits 2;
the results themselves are already complete without it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ALLURE_PACKAGE = "allure@^3"
INSTALL_TIMEOUT = 300.0
GENERATE_TIMEOUT = 300.0
EXIT_OK, EXIT_USAGE = 0, 2
HOW_TO = (
    "install Node.js 20 or later (https://nodejs.org, or `apt-get install nodejs npm`) and run this again; "
    "or render the results with any Allure CLI: `npx allure generate {results} --output {output}`"
)


def allure_home() -> Path:
    """Where the Allure CLI is installed: $TELNYX_ALLURE_HOME, else the user cache."""
    override = os.environ.get("TELNYX_ALLURE_HOME")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("telnyx-conformance")) / "allure"


def _installed(home: Path) -> Path | None:
    bin_link = home / "node_modules" / ".bin" / "allure"
    return bin_link if bin_link.exists() else None


def install(home: Path, npm: str) -> str | None:
    """npm-install Allure 3 into `home`; the reason on failure."""
    home.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(home), "--no-audit", "--no-fund", "--loglevel=error", ALLURE_PACKAGE]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return f"`npm install {ALLURE_PACKAGE}` did not finish in {INSTALL_TIMEOUT:.0f} s"
    if done.returncode != 0 or _installed(home) is None:
        detail = " ".join(done.stderr.split())[-300:] or f"exit code {done.returncode}"
        return f"`npm install {ALLURE_PACKAGE}` failed: {detail}"
    return None


def render_report(report_dir: Path, output: Path | None = None) -> int:
    results = report_dir / "allure-results"
    output = output or report_dir / "allure-report"
    how_to = HOW_TO.format(results=results, output=output)
    if not results.is_dir() or not any(results.glob("*-result.json")):
        print(
            f"telnyx-conformance: error: no Allure results in {results}: run `telnyx-conformance run "
            f"--report-dir {report_dir}` first",
            file=sys.stderr,
        )
        return EXIT_USAGE
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        print(f"telnyx-conformance: error: Node.js not found, which Allure 3 needs: {how_to}", file=sys.stderr)
        return EXIT_USAGE
    home = allure_home()
    executable = _installed(home)
    if executable is None:
        if npm is None:
            print(f"telnyx-conformance: error: npm not found, to install Allure 3: {how_to}", file=sys.stderr)
            return EXIT_USAGE
        print(f"installing Allure 3 into {home} (once)", file=sys.stderr, flush=True)
        problem = install(home, npm)
        if problem is not None:
            print(f"telnyx-conformance: error: {problem}; {how_to}", file=sys.stderr)
            return EXIT_USAGE
        executable = _installed(home)
    command = [str(executable), "generate", str(results.resolve()), "--output", str(output.resolve())]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=GENERATE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        print(f"telnyx-conformance: error: allure generate took over {GENERATE_TIMEOUT:.0f} s", file=sys.stderr)
        return EXIT_USAGE
    index = output / "index.html"
    if done.returncode != 0 or not index.is_file():
        detail = " ".join((done.stderr or done.stdout).split())[-400:] or f"exit code {done.returncode}"
        print(f"telnyx-conformance: error: allure generate failed: {detail}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Allure report: {index}")
    return EXIT_OK
