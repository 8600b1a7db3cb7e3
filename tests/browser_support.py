"""What the browser tests share: Debian's chromium and its flags, an application served on a local
port, signing in as a demo user, and axe-core's accessibility check."""
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-results"))
AXE = Path(os.environ.get("AXE_JS", ROOT / ".venv/axe-core-4.10.3/axe.min.js"))

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make test installs it)"),
]


@contextmanager
def serve(app):
    """Serve `app` on a free loopback port, a thread per request, for the block: gives its base URL."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{http.server_port}"
    finally:
        http.shutdown()


@contextmanager
def launch():
    """A headless chromium for the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def log_in(browser, base, username, width=1366, on_console=None, **context_options):
    """A new browser context signed in as a demo user (password demo1234), in Vietnamese; `on_console`
    hears the console from the sign-in page on."""
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": 900}, **context_options)
    page = context.new_page()
    if on_console:
        page.on("console", on_console)
    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo1234")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    return page


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations on the page, as "rule: first targets"."""
    assert AXE.is_file(), f"axe-core missing at {AXE}: `make test` fetches it"
    # evaluated through the browser's debugging protocol: the page's Content-Security-Policy forbids an
    # injected inline <script>, and stays on while axe runs
    page.evaluate(AXE.read_text() + "\n;0")
    return page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))""")
