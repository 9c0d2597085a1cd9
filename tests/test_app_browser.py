"""End to end: `solara run sim.app` on 127.0.0.1, driven in headless Chromium with Playwright.

Needs Debian's `chromium` (apt-get install chromium; Playwright's own browser download is not used) and, with no
internet, the `solara-assets` package (Solara's front-end files, otherwise fetched from a CDN). Skipped only when
no Chromium binary can be found.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("solara")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the [test] extra: pip install playwright")

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 120
UI_TIMEOUT_MS = 90_000

pytestmark = pytest.mark.slow


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("Chromium not found (install Debian's package: apt-get install -y chromium, or set CHROMIUM)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_server(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"solara exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"solara did not answer on {url} within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def plot_sources(page) -> list[str]:
    return page.eval_on_selector_all("img.chengxiang-plot", "els => els.map(e => e.src)")


def test_dashboard_in_chromium(tmp_path):
    browser_binary = chromium_path()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tmp_path / "solara.log"
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="False", PYTHONUNBUFFERED="1")
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "solara", "run", "sim.app", "--host", "127.0.0.1", "--port", str(port),
             "--no-open", "--production"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_server(url, proc, log)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_binary, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1000})
                page.goto(url)
                step = page.get_by_role("button", name="Step")
                try:
                    step.wait_for(timeout=UI_TIMEOUT_MS)
                except sync_api.TimeoutError:
                    page.screenshot(path=str(tmp_path / "not-loaded.png"))
                    pytest.fail("the dashboard did not load (is `solara-assets` installed? without internet Solara "
                                f"cannot fetch its front-end):\n{log.read_text()[-3000:]}")
                page.wait_for_function("document.querySelectorAll('img.chengxiang-plot').length == 4",
                                       timeout=UI_TIMEOUT_MS)
                page.get_by_text("Year 2013").first.wait_for(timeout=UI_TIMEOUT_MS)
                before = plot_sources(page)
                # the tabs have names, and the integer sliders (play interval, last year, ...) show their values
                assert [t.strip().lower() for t in page.locator(".v-tab").all_inner_texts()] == [
                    "outcomes", "counties and city tiers"]  # (Vuetify shows tab names in capitals)
                values = page.eval_on_selector_all(
                    "[role=slider]", "els => Object.fromEntries(els.map(e => [e.getAttribute('aria-label'), "
                    "[e.getAttribute('aria-valuenow'), [...e.querySelectorAll('.v-slider__thumb-label-container')]"
                    ".filter(c => getComputedStyle(c).display != 'none').map(c => c.innerText.trim())]]))")
                for label in ("Play Interval (ms)", "Render Interval (steps)", "Household agents (on Reset)",
                              "Seed (on Reset)", "Last year (on Reset)"):
                    now, shown = values[label]
                    assert shown == [now], (label, values[label])  # the value is on the thumb, visible
                assert values["Last year (on Reset)"][0] == "2035"

                step.click()
                page.get_by_text("Year 2014").first.wait_for(timeout=UI_TIMEOUT_MS)
                page.wait_for_function(
                    "before => { const now = [...document.querySelectorAll('img.chengxiang-plot')].map(e => e.src);"
                    " return now.length == 4 && now.every((s, i) => s != before[i]); }",
                    arg=before, timeout=UI_TIMEOUT_MS)

                # move a lever: click near the right end of its slider; it is marked as moved
                lever = page.locator(".chengxiang-lever-services_by_residence .v-slider")
                lever.scroll_into_view_if_needed()
                box = lever.bounding_box()
                assert box is not None
                lever.click(position={"x": box["width"] * 0.95, "y": box["height"] / 2})
                page.get_by_text("● Services by residence").wait_for(timeout=UI_TIMEOUT_MS)
                page.get_by_text("1 lever moved").first.wait_for(timeout=UI_TIMEOUT_MS)

                for year in (2015, 2016):
                    step.click()
                    page.get_by_text(f"Year {year}").first.wait_for(timeout=UI_TIMEOUT_MS)
                page.wait_for_timeout(1000)
                shot = tmp_path / "dashboard.png"
                page.screenshot(path=str(shot))
                assert shot.stat().st_size > 20_000

                page.get_by_role("tab", name="Counties and city tiers").click()
                page.wait_for_function("document.querySelectorAll('img.chengxiang-plot').length == 2",
                                       timeout=UI_TIMEOUT_MS)
                page.get_by_text("Counties emptying fastest").wait_for(timeout=UI_TIMEOUT_MS)
                page.wait_for_timeout(1500)  # the tab slides in
                page.screenshot(path=str(tmp_path / "dashboard-counties.png"))
            finally:
                browser.close()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
    server_log = log.read_text()
    assert "Traceback" not in server_log, server_log[-3000:]
