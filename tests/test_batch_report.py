"""The HTML batch report: self-contained, escaped, deterministic, and rendered by a real headless chromium.

The score objects are hand-made (no scoring model runs); they follow the format of service/engine/explain.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from service.batch.html_report import write_report

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "Leaked memo: <script>alert(1)</script> and <img src=x onerror=alert(1)> were found in the CMS."
SHOCK = "Shocking twist in Limoges! The court handed the factory to its 187 workers on Tuesday."
SOURCES = {
    "daily.example": {"domain": "daily.example", "rating": 78.4, "interval": [70.1, 85.2], "n_articles": 12},
    "wire.example": {"domain": "wire.example", "rating": 52.0, "interval": [40.3, 63.9], "n_articles": 5},
    "rumour.example": {"domain": "rumour.example", "rating": 18.5, "interval": [8.0, 31.7], "n_articles": 3},
    "newblog.example": {"domain": "newblog.example", "rating": None, "interval": None, "n_articles": 0},
}


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _flag(text: str, kind: str, part: str, reason: str) -> dict[str, Any]:
    start, end = _span(text, part)
    return {"type": kind, "start": start, "end": end, "text": part, "reason": reason}


def _claim(text: str, part: str, cluster: str, status: str) -> dict[str, Any]:
    start, end = _span(text, part)
    return {
        "text": part,
        "start": start,
        "end": end,
        "kind": "claim",
        "cluster_id": cluster,
        "status": status,
        "supported_by": [],
        "check_worthy": True,
        "hedged": False,
    }


def _result(
    n: int,
    title: str,
    domain: str,
    story: str,
    score: float,
    label: str,
    text: str,
    flags: list[dict[str, Any]],
    claims: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "article_id": f"{n:016x}",
        "id": None,
        "input": f"batch/article-{n}.txt",
        "title": title,
        "url": f"https://{domain}/news/{n}",
        "language": "en",
        "score": score,
        "label": label,
        "confidence": 0.7,
        "model_version": "2026.11-1",
        "reasons": [f"-{n + 3}: claims rarely confirmed by independent sources", "-1: weak attribution"],
        "components": {},
        "flags": flags,
        "claims": claims,
        "coverage": "ok",
        "independent_sources": 2,
        "derivative_of": None,
        "story_id": story,
        "source": SOURCES[domain],
        "notes": [],
        "text": text,
    }


def make_results() -> list[dict[str, Any]]:
    court = "The court handed the factory to its 187 workers on Tuesday."
    shock = _result(
        0,
        "Shocking twist in Limoges",
        "rumour.example",
        "s-limoges",
        12.5,
        "unreliable",
        SHOCK,
        [
            _flag(SHOCK, "loaded_language", "Shocking", "Loaded or sensational wording."),
            _flag(SHOCK, "unsupported_claim", "Shocking twist in Limoges!", "No independent source confirms."),
            _flag(SHOCK, "contradiction", "187 workers", "Other sources say 178."),
        ],
        [
            _claim(SHOCK, "Shocking twist in Limoges!", "s-limoges-c1", "unsupported"),
            _claim(SHOCK, court, "s-limoges-c0", "contradicted"),
        ],
    )
    calm = "The commercial court handed the Verac factory to its 178 workers on Tuesday. The buyer withdrew."
    daily = _result(
        1,
        "Court hands Verac factory to workers",
        "daily.example",
        "s-limoges",
        81.0,
        "reliable",
        calm,
        [],
        [
            _claim(
                calm,
                "The commercial court handed the Verac factory to its 178 workers on Tuesday.",
                "s-limoges-c0",
                "supported",
            ),
            _claim(calm, "The buyer withdrew.", "s-limoges-c2", "insufficient_coverage"),
        ],
    )
    wire = "Workers take over Limoges porcelain factory, court rules on Tuesday."
    agency = _result(
        2,
        "Workers take over factory",
        "wire.example",
        "s-limoges",
        58.0,
        "mixed",
        wire,
        [_flag(wire, "generic_assertion", "court rules on Tuesday", "Vague.")],
        [_claim(wire, wire, "s-limoges-c0", "supported")],
    )
    hostile_title = 'CMS breach "><script>alert(2)</script>'
    leak = _result(
        3,
        hostile_title,
        "newblog.example",
        "s-cms",
        35.0,
        "unreliable",
        HOSTILE,
        [
            _flag(HOSTILE, "unsupported_claim", HOSTILE, 'Unconfirmed "leak" <b>claim</b>.'),
            _flag(HOSTILE, "furniture", "<img src=x onerror=alert(1)>", "Page furniture."),
        ],
        [_claim(HOSTILE, HOSTILE, "s-cms-c0", "unsupported")],
    )
    follow = "The CMS vendor confirmed a breach affecting two newsrooms."
    other = _result(
        4,
        "Vendor confirms CMS breach",
        "rumour.example",
        "s-cms",
        44.0,
        "mixed",
        follow,
        [],
        [_claim(follow, follow, "s-cms-c0", "supported")],
    )
    return [shock, daily, agency, leak, other]


ERRORS = [{"path": "batch/broken.pdf", "reason": "unsupported file type <pdf>"}]
SUMMARY = {"duration": "4.2 s", "workers": 2}


class Page(HTMLParser):
    """Tags, attributes, and per article: its text as shown and its highlighted segments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str, str]] = []
        self.texts: dict[str, str] = {}
        self.marks: dict[str, list[tuple[list[str], str, str]]] = {}
        self._article = ""
        self._in_text = 0
        self._mark: tuple[list[str], str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = {k: v or "" for k, v in attrs}
        self.attrs += [(tag, k, v) for k, v in values.items()]
        if tag == "article":
            self._article = values["id"]
        elif tag == "div" and values.get("class") == "text":
            self._in_text = 1
            self.texts[self._article] = ""
        elif self._in_text and tag == "mark":
            self._mark = (values["class"].split(), values.get("title", ""))
            self.marks.setdefault(self._article, []).append((self._mark[0], self._mark[1], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._in_text = 0
        elif tag == "mark":
            self._mark = None

    def handle_data(self, data: str) -> None:
        if self._in_text:
            self.texts[self._article] += data
            if self._mark:
                classes, title, text = self.marks[self._article][-1]
                self.marks[self._article][-1] = (classes, title, text + data)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "out" / "report.html"
    write_report(make_results(), path, title="Batch <test>", errors=ERRORS, summary=SUMMARY)
    return path


def parse(path: Path) -> tuple[str, Page]:
    html = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    page.close()
    return html, page


def test_one_self_contained_file_without_scripts_or_external_resources(report: Path) -> None:
    assert [p.name for p in report.parent.iterdir()] == ["report.html"]
    html, page = parse(report)
    assert not re.search(r"<\s*script", html, re.I)
    assert "script" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    assert not [a for a in page.attrs if a[1].startswith("on")], "event-handler attributes"
    assert not [a for a in page.attrs if a[1] in ("src", "srcset", "action", "data")]
    assert all(v.startswith("#") for _, k, v in page.attrs if k in ("href", "xlink:href")), "non-local link"
    assert not re.search(r"url\(\s*['\"]?(?!#)", html), "url() other than a local reference"
    assert "@import" not in html
    shown_urls = {r["url"] for r in make_results()}
    rest = html
    for url in shown_urls:  # article URLs are shown as text, never linked
        assert f'href="{url}' not in html
        rest = rest.replace(url, "")
    assert "http://" not in rest and "https://" not in rest


def test_hostile_text_is_escaped(report: Path) -> None:
    html, page = parse(report)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "CMS breach &quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;pdf&gt;" in html and "Batch &lt;test&gt;" in html
    leak = next(a for a, text in page.texts.items() if "Leaked memo" in text)
    assert page.texts[leak] == HOSTILE  # shown verbatim, as text
    assert any('Unconfirmed "leak" <b>claim</b>.' in title for _, title, _ in page.marks[leak])


def test_overlapping_flags_are_segmented(report: Path) -> None:
    _, page = parse(report)
    article = next(a for a, text in page.texts.items() if text == SHOCK)
    marks = [(sorted(c for c in classes if c.startswith("f-")), text) for classes, _, text in page.marks[article]]
    assert marks == [
        (["f-loaded_language", "f-unsupported_claim"], "Shocking"),
        (["f-unsupported_claim"], " twist in Limoges!"),
        (["f-contradiction"], "187 workers"),
    ]
    both = page.marks[article][0][1]
    assert "Loaded or sensational wording." in both and "No independent source confirms." in both
    for anchor, text in page.texts.items():  # highlighting never changes the text
        assert text == next(r["text"] for r in make_results() if text == r["text"]), anchor


def test_every_article_story_outlet_and_cluster_appears(report: Path) -> None:
    html, page = parse(report)
    results = make_results()
    assert len(page.texts) == len(results)
    assert sorted(page.texts.values()) == sorted(r["text"] for r in results)
    for result in results:
        assert f"batch/article-{result['article_id'][-1]}.txt" in html
    for story in ("s-limoges", "s-cms"):
        assert f'id="story-{story}"' in html
    assert html.index('id="story-s-limoges"') < html.index('id="story-s-cms"')  # 3 articles before 2
    for domain in SOURCES:
        assert f"<td>{domain}</td>" in html
    assert "70.1 – 85.2" in html and "8.0 – 31.7" in html
    assert re.search(r'<td>newblog\.example</td><td class="num">—</td><td>—</td>', html), "null-rating outlet"
    # the shared cluster: representative text, the three outlets making it, status counts
    row = re.search(
        r"<tr><td>[^<]*</td><td>daily\.example, rumour\.example, wire\.example</td>"
        r"<td>contradicted ×1, supported ×2</td><td class=\"num\">3</td></tr>",
        html,
    )
    assert row, "cluster s-limoges-c0"
    assert "unsupported file type" in html and "<details>" in html
    assert "<td>duration</td><td>4.2 s</td>" in html and "<td>workers</td><td>2</td>" in html


def test_charts_are_inline_svg(report: Path) -> None:
    html, _ = parse(report)
    charts = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(charts) == 2
    histogram, outlets = charts
    assert "#d62728" in histogram and "#2ca02c" in histogram and "#f0a202" in histogram
    for domain in ("daily.example", "wire.example", "rumour.example"):
        assert domain in outlets
    assert "newblog.example" not in outlets  # null rating: table only
    assert outlets.index("rumour.example") < outlets.index("daily.example")  # sorted by rating


def test_long_batches_are_capped(tmp_path: Path) -> None:
    path = tmp_path / "capped.html"
    write_report(make_results(), path, max_full_articles=2)
    html, page = parse(path)
    assert len(page.texts) == 2
    assert "Only the first 2 of 5 articles are shown in full" in html
    assert all(f'id="art-{i}"' in html for i in range(5))


def test_deterministic_across_runs_and_processes(report: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.html"
    write_report(make_results(), again, title="Batch <test>", errors=ERRORS, summary=SUMMARY)
    assert again.read_bytes() == report.read_bytes()
    data = tmp_path / "results.json"
    data.write_text(json.dumps([make_results(), ERRORS, SUMMARY]))
    other = tmp_path / "other.html"
    script = (
        "import json, sys; from pathlib import Path; from service.batch.html_report import write_report; "
        "r, e, s = json.load(open(sys.argv[1])); write_report(r, Path(sys.argv[2]), title='Batch <test>', "
        "errors=e, summary=s)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(data), str(other)], cwd=ROOT, env=env, check=True, timeout=60)
    assert other.read_bytes() == report.read_bytes()


# --- real browser ---------------------------------------------------------------------------------------------


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail(
            "chromium is not installed (`make test` installs it: tests/system-deps.sh): "
            "the batch report must be checked in a browser"
        )
    return found


def run_chromium(tmp: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        *args,
        url,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def console_errors(stderr: str) -> list[str]:
    """Lines of chromium's log that report a page console message or an uncaught exception."""
    return [line for line in stderr.splitlines() if "Uncaught" in line or re.search(r"CONSOLE[:(]", line)]


def test_console_error_detector_catches_errors(tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<html><body><p>x</p><script>nosuchfn()</script></body></html>")
    done = run_chromium(tmp_path, page.as_uri(), "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert any("nosuchfn" in line for line in console_errors(done.stderr)), done.stderr[-2000:]


def test_browser_renders_the_report(report: Path, tmp_path: Path) -> None:
    done = run_chromium(tmp_path, report.as_uri(), "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_errors(done.stderr) == [], "console errors (a CSP violation would be one)"
    dom = done.stdout
    assert "<script" not in dom and "<img" not in dom, "the hostile text became markup"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom and dom.count("<svg") == 2

    shot = tmp_path / "report.png"
    pixels = screenshot(tmp_path, report, shot, 2400)  # the top: summary and charts
    assert pixels.std() > 0.05, "blank page"
    chroma = pixels.max(axis=2) - pixels.min(axis=2)
    assert (chroma > 0.3).sum() > 2000, "no coloured pixels: charts missing"
    for colour in ("#d62728", "#f0a202", "#2ca02c"):  # histogram bars and outlet markers, one per label
        assert near(pixels, colour) > 200, colour

    full = tmp_path / "report-full.png"
    articles = screenshot(tmp_path, report, full, 4800)[2400:]  # below the legend: the article texts
    for colour in ("#ffe58a", "#ff9e9e", "#ffb0c4", "#d9d9d9", "#cfdcfb"):
        assert near(articles, colour) > 300, f"flag highlight {colour} not visible"
    if keep := os.environ.get("BATCH_REPORT_SCREENSHOT"):  # to look at them
        shutil.copyfile(shot, keep)
        shutil.copyfile(full, Path(keep).with_name(Path(keep).stem + "_full.png"))


def screenshot(tmp: Path, report: Path, shot: Path, height: int) -> Any:
    """Chromium's screenshot of the report, 1280 wide, checked as a PNG and returned as RGB floats."""
    import matplotlib.image

    done = run_chromium(tmp, report.as_uri(), f"--window-size=1280,{height}", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", "not a PNG"
    assert struct.unpack(">II", data[16:24]) == (1280, height)
    pixels = matplotlib.image.imread(str(shot))[..., :3]
    assert pixels.shape == (height, 1280, 3)
    return pixels


def near(pixels: Any, hex_colour: str) -> int:
    """How many pixels are within 4% of the colour."""
    import numpy as np

    rgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int((np.abs(pixels - rgb).max(axis=2) < 0.04).sum())
