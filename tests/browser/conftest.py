"""Browser tests: a real server on a freshly seeded demo county, driven by Playwright in Debian's Chromium.

The server runs in its own process on its own database (a SQLite file, or a PostgreSQL database
`xiji_browser` when DATABASE_URL points at PostgreSQL), so these tests see the app as a user does.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .checks import PageChecks

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp / 'browser.sqlite3'}"
    import psycopg2

    base = url.rsplit("/", 1)[0]
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS xiji_browser")
        cur.execute("CREATE DATABASE xiji_browser")
    conn.close()
    return base + "/xiji_browser"


@dataclass(frozen=True)
class Manage:
    """`manage.py` as the server runs it: same interpreter, same database, same environment."""

    command: list
    env: dict
    tmp: Path

    def shell(self, code: str) -> str:
        """Run `code` in `manage.py shell` against the server's database; its standard output."""
        done = subprocess.run(
            [*self.command, "shell", "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout


@pytest.fixture(scope="session")
def manage(tmp_path_factory) -> Manage:
    """The server's database, migrated and seeded with the demo county, and the command to act on it."""
    tmp = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env.update(DATABASE_URL=_database_url(tmp), DJANGO_DEBUG="true", MEDIA_ROOT=str(tmp / "media"))
    # Text messages (the one-time codes of registration, issue 14) go to a file the tests read: `sms_code`.
    env.update(XIJI_SMS_SENDER="xiji_afterschool.sms.FileSender", XIJI_SMS_OUTBOX=str(tmp / "sms-outbox.jsonl"))
    command = [sys.executable, "manage.py"]
    subprocess.run([*command, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*command, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return Manage(command, env, tmp)


@pytest.fixture(scope="session")
def base_url(manage):
    tmp, env, manage = manage.tmp, manage.env, manage.command
    port = _free_port()
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/login/", timeout=2)  # noqa: S310 — our own loopback server
            break
        except OSError:
            assert server.poll() is None, (tmp / "server.log").read_text()
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is missing: run .ci/system-deps --browser"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_checks():
    """The checks every page a browser test visits must pass: axe-core's serious and critical WCAG 2.1 AA
    violations and English words on a Chinese page (`checks.py`, #15 items 4 and 5)."""
    return PageChecks()


@pytest.fixture
def context(browser, page_checks):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    page_checks.attach(context)  # every document is checked before it is left, and the last one below
    yield context
    page_checks.check_open_pages(context)
    context.close()
    page_checks.assert_clean()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


@pytest.fixture(scope="session")
def screenshot_dir():
    path = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "artifacts" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def sms_code(manage: Manage, mobile: str) -> str:
    """The latest one-time code the server sent to `mobile` (its FileSender's outbox)."""
    outbox = Path(manage.env["XIJI_SMS_OUTBOX"])
    lines = outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
    codes = [m["code"] for m in map(json.loads, lines) if m["mobile"] == mobile and m["code"]]
    assert codes, f"no code was sent to {mobile}"
    return codes[-1]


def sign_in(page, base_url, username, password="Xiji-2021"):
    page.goto(base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


class Screens:
    """The screens of a journey, counted as the issue counts them (#15 item 1): every main-frame navigation after
    the journey's first page (the page the user is on after signing in; the sign-in itself is not counted), up to
    its goal. A form's POST and the redirect that answers it are one navigation: one screen. Each screen is saved as
    `<journey>-<n>.png` in the screenshot directory (`-0` is the first page)."""

    def __init__(self, page, screenshot_dir: Path, journey: str):
        self.page, self.dir, self.journey = page, screenshot_dir, journey
        self.urls: list[str] = []
        page.on("framenavigated", self._navigated)
        self.shot()

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.urls.append(frame.url)

    @property
    def count(self) -> int:
        return len(self.urls)

    def shot(self) -> None:
        """Wait for the current screen and save it; it must not scroll sideways on a phone."""
        self.page.wait_for_load_state("networkidle")
        wide = self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert wide, f"{self.journey}-{self.count}: the page must not scroll sideways at {self.page.viewport_size}"
        self.page.screenshot(path=str(self.dir / f"{self.journey}-{self.count}.png"), full_page=True)

    def stop(self) -> int:
        self.page.remove_listener("framenavigated", self._navigated)
        return self.count
