"""The human docs page renders in a real browser (Debian chromium, headless) with no network.

Swagger UI's files are served by the service itself; the browser is told that every host
but 127.0.0.1 does not exist, so a page that needed a CDN would render nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def served(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_docs_page_renders_every_operation_offline(served: str, tmp_path: Any) -> None:
    assert CHROMIUM, "Debian's chromium is needed for this test (`make test` installs it: tests/system-deps.sh)"
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=20000",
            "--dump-dom",
            f"{served}/docs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "swagger-ui" in dom and "opblock" in dom, dom[-2000:]
    for path in ("/v1/score", "/v1/score/batch", "/v1/articles/{article_id}", "/v1/sources/{domain}", "/v1/feedback"):
        assert f'data-path="{path}"' in dom, path
    assert "Reliability scoring API" in dom
