"""Fixtures of the WordPress plugin tests: a real `reliability serve` with an API key, a real
WordPress (Debian's package, MariaDB, `php -S`) with the plugin activated and configured, and
one headless Debian chromium driven by Playwright for the whole session.

When WordPress, PHP, MariaDB or chromium is missing the tests fail (they do not skip) and say
which Debian packages `make test` installs (tests/system-deps.sh). Artifacts (screenshots, debug.log, server logs,
timings.json) go to test-artifacts/wordpress/ (WORDPRESS_TEST_ARTIFACTS overrides it).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from tests.api.live import LiveServer, run_cli
from tests.wordpress.site import (
    APT_PACKAGES,
    ARTIFACTS,
    CHROMIUM,
    Database,
    WordPressSite,
    missing_requirements,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
TIMINGS: dict[str, float] = {}


@dataclass
class WordPressEnv:
    site: WordPressSite
    service: LiveServer
    api_key: str
    timings: dict[str, float] = field(default_factory=dict)

    def service_get(self, path: str) -> requests.Response:
        return requests.get(self.service.url(path), headers={"Authorization": f"Bearer {self.api_key}"}, timeout=60)

    def service_metrics(self) -> tuple[float, float]:
        """(POST /v1/score requests answered 200 so far, articles in the store), from /metrics."""
        text = requests.get(self.service.url("/metrics"), timeout=60).text
        calls = stored = 0.0
        for line in text.splitlines():
            if line.startswith("reliability_http_requests_total{") and 'endpoint="/v1/score"' in line:
                if 'method="POST"' in line and 'status="200"' in line:
                    calls += float(line.rsplit(" ", 1)[1])
            elif line.startswith("reliability_store_articles "):
                stored = float(line.rsplit(" ", 1)[1])
        return calls, stored


def artifacts_dir() -> Path:
    """test-artifacts/wordpress/, in a folder that git ignores (it holds its own .gitignore)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    marker = ARTIFACTS.parent / ".gitignore"
    if ARTIFACTS.parent.name == "test-artifacts" and not marker.exists():
        marker.write_text("# test outputs, never committed\n*\n")
    return ARTIFACTS


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressEnv]:
    missing = missing_requirements()
    if missing:
        pytest.fail(
            "the WordPress plugin tests need " + "; ".join(missing) + f". Install them with `apt-get install -y "
            f"--no-install-recommends {APT_PACKAGES}` (`make test` does: tests/system-deps.sh) "
            "and `pip install -e '.[dev]'`.",
            pytrace=False,
        )
    workdir = tmp_path_factory.mktemp("wordpress")
    started = time.monotonic()
    timings: dict[str, float] = {}

    # The scoring service loads its models (~20 s) while WordPress is installed.
    service = LiveServer(workdir, workdir / "store.db")
    created = run_cli(["keys", "create", "wordpress"], service.env)
    assert created.returncode == 0, created
    api_key = created.stdout.strip()
    service.start()
    db: Database | None = None
    site: WordPressSite | None = None
    try:
        t0 = time.monotonic()
        db = Database(workdir).start()
        timings["database"] = time.monotonic() - t0
        t0 = time.monotonic()
        site = WordPressSite(workdir, db, service.base, api_key).install()
        timings["wordpress_install"] = time.monotonic() - t0
        t0 = time.monotonic()
        site.start()
        timings["php_server"] = time.monotonic() - t0
        t0 = time.monotonic()
        service.wait_ready()
        timings["service_ready_wait"] = time.monotonic() - t0
        timings["setup_total"] = time.monotonic() - started
        TIMINGS.update({f"setup:{k}": v for k, v in timings.items()})
        yield WordPressEnv(site=site, service=service, api_key=api_key, timings=timings)
    finally:
        if site is not None:
            site.stop()
            out = artifacts_dir()
            for path in (site.debug_log, site.server_log):
                if path.exists():
                    shutil.copy(path, out / path.name)
        for log in service.logs:
            if log.exists():
                shutil.copy(log, artifacts_dir() / f"reliability-{log.name}")
        service.stop()
        if db is not None:
            db.stop()


@pytest.fixture(scope="session")
def corpus(wordpress: WordPressEnv) -> dict[str, str]:
    """Seeds 000-003 stored in the service (as the README's walk-through does); their article ids."""
    started = time.monotonic()
    ids = {}
    paths = sorted(SEEDS.glob("00[0-3]_*.txt"))
    assert len(paths) == 4, paths
    for path in paths:
        response = requests.post(
            wordpress.service.url("/v1/score"),
            json={"text": path.read_text(encoding="utf-8"), "source": f"{path.name[:3]}.example", "store": True},
            headers={"Authorization": f"Bearer {wordpress.api_key}"},
            timeout=120,
        )
        assert response.status_code == 200, response.text
        assert response.json()["stored"] is True
        ids[path.name[:3]] = response.json()["article_id"]
    TIMINGS["setup:seed_ingest"] = time.monotonic() - started
    return ids


@pytest.fixture(autouse=True)
def no_php_problems(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test that made WordPress log a PHP warning or error ("Deprecated" notices of
    WordPress 6.1 on PHP 8.2 aside)."""
    if "wordpress" not in request.fixturenames:
        yield
        return
    env: WordPressEnv = request.getfixturevalue("wordpress")
    offset = env.site.log_offset()
    yield
    problems = env.site.php_problems(offset)
    assert not problems, "PHP logged warnings or errors:\n" + "\n".join(problems[:20])


# -- the browser ---------------------------------------------------------------------------------


class Browser:
    """One headless chromium for the session; every page refuses requests not to 127.0.0.1."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.blocked: list[str] = []
        self.errors: list[str] = []

    def context(self, site: WordPressSite, user: str, locale: str = "en-US") -> Any:
        context = self.browser.new_context(base_url=site.base, locale=locale, viewport={"width": 1440, "height": 1000})
        context.set_default_timeout(30_000)

        def guard(route: Any) -> None:
            url = route.request.url
            if urlsplit(url).hostname == "127.0.0.1":
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{user}: {error}"))
        page.goto("/wp-login.php")
        page.fill("#user_login", user)
        page.fill("#user_pass", site.passwords[user])
        page.click("#wp-submit")
        page.wait_for_url("**/wp-admin/**")
        return context

    def check(self) -> None:
        """No request left the machine; no uncaught script error."""
        blocked, errors = list(self.blocked), list(self.errors)
        self.blocked.clear()
        self.errors.clear()
        assert not blocked, f"requests to other hosts than 127.0.0.1 (aborted): {blocked}"
        assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="session")
def browser(wordpress: WordPressEnv) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        TIMINGS["setup:browser_launch"] = time.monotonic() - started
        try:
            yield Browser(chromium)
        finally:
            chromium.close()


# -- timings ---------------------------------------------------------------------------------------


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/wordpress/" in report.nodeid.replace("\\", "/") and report.when == "call":
        TIMINGS[report.nodeid.split("::")[-1]] = report.duration


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TIMINGS:
        return
    path = artifacts_dir() / "timings.json"
    path.write_text(json.dumps({k: round(v, 2) for k, v in TIMINGS.items()}, indent=2) + "\n")
    terminalreporter.write_sep("-", "WordPress plugin tests: seconds")
    for name, seconds in TIMINGS.items():
        terminalreporter.write_line(f"{seconds:8.1f}  {name}")
    terminalreporter.write_line(f"(also in {path})")
