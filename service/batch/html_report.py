"""One self-contained HTML report of a `reliability batch` run.

Summary, score histogram, outlet ratings, stories with their claim clusters and every article with its flagged
spans highlighted. No JavaScript and no external resource: CSS is inline and the charts are inline SVG drawn by
matplotlib. All text that comes from the articles is escaped. Identical input gives a byte-identical file.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

MIXED_AT, RELIABLE_AT = 40.0, 65.0  # unreliable < 40 <= mixed < 65 <= reliable
LABEL_COLOURS = {"unreliable": "#d62728", "mixed": "#f0a202", "reliable": "#2ca02c"}
FLAG_COLOURS = {
    "unsupported_claim": "#ffe58a",
    "contradiction": "#ff9e9e",
    "generic_assertion": "#cfdcfb",
    "misspelled_name": "#f2b8f7",
    "loaded_language": "#ffb0c4",
    "furniture": "#d9d9d9",
    "duplicate": "#c4efcd",
    "translation_artefact": "#ffd0a1",
    "spelling": "#ffc8a0",
    "derivative": "#b5e3ff",
}
OTHER_FLAG_COLOUR = "#e3e3a8"
MAX_CHART_OUTLETS = 40
MAX_CLUSTERS_PER_STORY = 30
MAX_FULL_ARTICLES = 500

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;
color:#222;line-height:1.45}
h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;
vertical-align:top}th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart svg{max-width:100%;height:auto}.muted{color:#777}.note{background:#fff8e0;padding:.4em .8em;border-left:4px solid
#f0a202}
.label{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-weight:600}
.label-unreliable{background:#d62728}.label-mixed{background:#c98500}.label-reliable{background:#2ca02c}
.label-other{background:#888}
article{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;margin:1em 0}
.text{white-space:pre-wrap;font-family:Georgia,serif;background:#fcfcfc;padding:.6em;border:1px solid #eee;
max-height:40em;overflow:auto}
mark{color:inherit;border-radius:2px}
.legend span{display:inline-block;margin:0 .8em .3em 0;padding:0 .4em;border-radius:2px}
nav a{margin-right:1em}
"""


def write_report(
    results: list[dict[str, Any]],
    path: Path,
    *,
    title: str = "Reliability batch report",
    errors: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
    max_full_articles: int = MAX_FULL_ARTICLES,
) -> None:
    """Write the HTML report of `results` (score objects) to `path`."""
    errors = errors or []
    stories = _stories(results)
    ordered = [r for _, members in stories for r in sorted(members, key=_score_key)]
    anchors = {id(r): f"art-{i}" for i, r in enumerate(ordered)}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        '<nav><a href="#summary">Summary</a><a href="#scores">Scores</a><a href="#outlets">Outlets</a>'
        '<a href="#stories">Stories</a><a href="#articles">Articles</a></nav>',
        _summary_section(results, stories, errors, summary or {}),
        _score_section(results),
        _outlet_section(results),
        _story_section(stories, anchors),
        _article_section(ordered, anchors, max_full_articles),
        "</body></html>\n",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _fmt(value: Any, digits: int = 1) -> str:
    number = _num(value)
    return "—" if number is None else f"{number:.{digits}f}"


def _score_key(result: dict[str, Any]) -> tuple[float, str, str]:
    score = _num(result.get("score"))
    return (score if score is not None else 1e9, str(result.get("input") or ""), str(result.get("article_id") or ""))


def _domain(result: dict[str, Any]) -> str | None:
    source = result.get("source") or {}
    return str(source["domain"]) if source.get("domain") else None


def _label(result: dict[str, Any]) -> str:
    label = str(result.get("label") or "?")
    css = label if label in LABEL_COLOURS else "other"
    return f'<span class="label label-{css}">{_e(label)}</span>'


def _name(result: dict[str, Any]) -> str:
    return str(result.get("title") or result.get("input") or result.get("article_id") or "(untitled)")


def _stories(results: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """(story_id, articles), largest story first; articles without a story last, under ''."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        groups[str(result.get("story_id") or "")].append(result)
    return sorted(groups.items(), key=lambda item: (item[0] == "", -len(item[1]), item[0]))


def _table(headers: list[str], rows: list[list[str]], numeric: frozenset[int] = frozenset()) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rc() -> Any:
    """Deterministic SVG: fixed id salt, text kept as text (no glyph paths)."""
    return plt.rc_context({"svg.hashsalt": "reliability-batch-report", "svg.fonttype": "none", "font.size": 9})


def _svg(fig: Any) -> str:
    """The figure as inline SVG, without XML prologue, metadata or namespace URLs; closes the figure."""
    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    return re.sub(r'\s+xmlns(?::\w+)?="[^"]*"', "", svg)  # the HTML parser puts <svg> in the SVG namespace itself


def _summary_section(
    results: list[dict[str, Any]],
    stories: list[tuple[str, list[dict[str, Any]]]],
    errors: list[dict[str, Any]],
    summary: dict[str, Any],
) -> str:
    labels = Counter(str(r.get("label") or "?") for r in results)
    scores = sorted(s for s in (_num(r.get("score")) for r in results) if s is not None)
    rows = [
        ["Articles", str(len(results))],
        ["Stories", str(sum(1 for story_id, _ in stories if story_id))],
        ["Outlets", str(len({d for d in map(_domain, results) if d}))],
        ["Labels", ", ".join(f"{_e(k)}: {v}" for k, v in sorted(labels.items())) or "—"],
        ["Median score", f"{scores[len(scores) // 2]:.1f}" if scores else "—"],
        ["Errors", str(len(errors))],
    ]
    rows += [[_e(key), _e(value)] for key, value in summary.items()]
    out = ['<section id="summary"><h2>Summary</h2>', _table(["", ""], rows)]
    if errors:
        items = "".join(f"<li><code>{_e(e.get('path'))}</code>: {_e(e.get('reason'))}</li>" for e in errors)
        out.append(f"<details><summary>{len(errors)} input(s) could not be read</summary><ul>{items}</ul></details>")
    return "".join(out) + "</section>"


def _score_section(results: list[dict[str, Any]]) -> str:
    scores = [s for s in (_num(r.get("score")) for r in results) if s is not None]
    if not scores:
        return '<section id="scores"><h2>Score distribution</h2><p class="muted">No scores.</p></section>'
    edges = list(range(0, 101, 5))
    counts = [0] * (len(edges) - 1)
    for score in scores:
        counts[min(max(int(score // 5), 0), len(counts) - 1)] += 1
    with _rc():
        fig, ax = plt.subplots(figsize=(8, 3))
        bands = (("unreliable", 0.0, MIXED_AT), ("mixed", MIXED_AT, RELIABLE_AT), ("reliable", RELIABLE_AT, 101.0))
        for label, lo, hi in bands:
            idx = [i for i, left in enumerate(edges[:-1]) if lo <= left < hi]
            ax.bar(
                [edges[i] for i in idx],
                [counts[i] for i in idx],
                width=5,
                align="edge",
                color=LABEL_COLOURS[label],
                edgecolor="white",
                label=f"{label}",
            )
        for at in (MIXED_AT, RELIABLE_AT):
            ax.axvline(at, color="#555", linestyle="--", linewidth=0.8)
        ax.set(xlim=(0, 100), xlabel="score", ylabel="articles", title=f"Scores of {len(scores)} article(s)")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(frameon=False)
        chart = _svg(fig)
    return f'<section id="scores"><h2>Score distribution</h2><div class="chart">{chart}</div></section>'


def _outlets(results: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], int]]:
    """(domain, source object, articles in this batch), one per domain, the source taken from its first article."""
    sources: dict[str, dict[str, Any]] = {}
    counts: Counter[str] = Counter()
    for result in results:
        domain = _domain(result)
        if domain:
            sources.setdefault(domain, result.get("source") or {})
            counts[domain] += 1
    return [(d, sources[d], counts[d]) for d in sorted(sources)]


def _interval(source: dict[str, Any]) -> tuple[float, float] | None:
    interval = source.get("interval")
    if isinstance(interval, list | tuple) and len(interval) == 2:
        lo, hi = _num(interval[0]), _num(interval[1])
        if lo is not None and hi is not None:
            return lo, hi
    return None


def _outlet_section(results: list[dict[str, Any]]) -> str:
    outlets = _outlets(results)
    out = ['<section id="outlets"><h2>Outlets</h2>']
    rated = [(d, s, n) for d, s, n in outlets if _num(s.get("rating")) is not None]
    shown = sorted(rated, key=lambda o: (-max(o[2], _num(o[1].get("n_articles")) or 0), o[0]))[:MAX_CHART_OUTLETS]
    shown.sort(key=lambda o: (_num(o[1].get("rating")) or 0.0, o[0]))
    if shown:
        with _rc():
            fig, ax = plt.subplots(figsize=(8, 1.2 + 0.28 * len(shown)))
            for y, (_, source, _) in enumerate(shown):
                rating = _num(source.get("rating")) or 0.0
                colour = LABEL_COLOURS[_label_of(rating)]
                lo, hi = _interval(source) or (rating, rating)
                ax.errorbar(
                    [rating],
                    [y],
                    xerr=[[max(rating - lo, 0)], [max(hi - rating, 0)]],
                    fmt="o",
                    color=colour,
                    ecolor=colour,
                    capsize=3,
                    markersize=5,
                )
            ax.set_yticks(range(len(shown)), [d for d, _, _ in shown])
            ax.set(
                xlim=(0, 100),
                ylim=(-0.7, len(shown) - 0.3),
                xlabel="rating (90% interval)",
                title=f"Outlet ratings ({len(shown)} of {len(rated)} rated outlet(s), most articles)",
            )
            for at in (MIXED_AT, RELIABLE_AT):
                ax.axvline(at, color="#999", linestyle="--", linewidth=0.8)
            ax.grid(axis="x", alpha=0.3)
            out.append(f'<div class="chart">{_svg(fig)}</div>')
    else:
        out.append('<p class="muted">No rated outlet.</p>')
    rows = []
    for domain, source, n in sorted(
        outlets, key=lambda o: (_num(o[1].get("rating")) is None, -(_num(o[1].get("rating")) or 0.0), o[0])
    ):
        interval = _interval(source)
        rows.append(
            [
                _e(domain),
                _fmt(source.get("rating")),
                f"{interval[0]:.1f} – {interval[1]:.1f}" if interval else "—",
                _fmt(source.get("n_articles"), 0),
                str(n),
            ]
        )
    if rows:
        out.append(
            _table(["Domain", "Rating", "90% interval", "Rated articles", "In this batch"], rows, frozenset({1, 3, 4}))
        )
    return "".join(out) + "</section>"


def _label_of(score: float) -> str:
    return "unreliable" if score < MIXED_AT else "mixed" if score < RELIABLE_AT else "reliable"


def _clusters(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claims of a story's articles grouped by cluster_id, the most widely made first."""
    groups: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for result in members:
        for i, claim in enumerate(result.get("claims") or []):
            key = str(claim.get("cluster_id") or f"~{result.get('article_id')}-{i}")
            groups[key].append((result, claim))
    clusters = []
    for key, pairs in groups.items():
        texts = Counter(str(c.get("text") or "") for _, c in pairs)
        text = min(texts, key=lambda t: (-texts[t], len(t), t))
        outlets = sorted({_domain(r) or str(r.get("input") or "?") for r, _ in pairs})
        statuses = Counter(str(c.get("status") or "?") for _, c in pairs)
        articles = len({id(r) for r, _ in pairs})
        clusters.append({"id": key, "text": text, "outlets": outlets, "statuses": statuses, "articles": articles})
    return sorted(clusters, key=lambda c: (-c["articles"], -len(c["outlets"]), c["id"]))


def _story_section(stories: list[tuple[str, list[dict[str, Any]]]], anchors: dict[int, str]) -> str:
    out = ['<section id="stories"><h2>Stories</h2>']
    for story_id, members in stories:
        heading = f"Story {_e(story_id)}" if story_id else "Articles without a story"
        count = f'<span class="muted">({len(members)} article(s))</span>'
        out.append(f'<h3 id="story-{_e(story_id)}">{heading} {count}</h3>')
        rows = [
            [f'<a href="#{anchors[id(r)]}">{_e(_name(r))}</a>', _e(_domain(r) or "—"), _fmt(r.get("score")), _label(r)]
            for r in sorted(members, key=_score_key)
        ]
        out.append(_table(["Article", "Source", "Score", "Label"], rows, frozenset({2})))
        clusters = _clusters(members)
        if clusters:
            rows = [
                [
                    _e(c["text"]),
                    _e(", ".join(c["outlets"])),
                    _e(", ".join(f"{s} ×{n}" for s, n in sorted(c["statuses"].items()))),
                    str(c["articles"]),
                ]
                for c in clusters[:MAX_CLUSTERS_PER_STORY]
            ]
            out.append(_table(["Claim (representative)", "Made by", "Status", "Articles"], rows, frozenset({3})))
        if len(clusters) > MAX_CLUSTERS_PER_STORY:
            out.append(
                f'<p class="note">Showing the {MAX_CLUSTERS_PER_STORY} most widely made of {len(clusters)} '
                "claim clusters.</p>"
            )
    return "".join(out) + "</section>"


def _flag_type(flag: dict[str, Any]) -> str:
    return re.sub(r"[^a-z0-9_-]", "", str(flag.get("type") or "").lower()) or "other"


def highlight(text: str, flags: list[dict[str, Any]]) -> str:
    """`text` escaped, each segment between flag boundaries in a <mark> naming every flag that covers it."""
    spans = []
    for flag in flags:
        start, end = _num(flag.get("start")), _num(flag.get("end"))
        if start is not None and end is not None:
            start, end = max(0, int(start)), min(len(text), int(end))
            if start < end:
                spans.append((start, end, flag))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        segment = html.escape(text[a:b], quote=True)
        cover = sorted((s for s in spans if s[0] <= a and b <= s[1]), key=lambda s: (s[1] - s[0], _flag_type(s[2])))
        if not cover:
            out.append(segment)
            continue
        types = list(dict.fromkeys(_flag_type(f) for _, _, f in cover))  # the narrowest flag first
        colours = [FLAG_COLOURS.get(t, OTHER_FLAG_COLOUR) for t in types]
        style = f"background:{colours[0]}" + "".join(
            f";box-shadow:inset 0 -{4 * (i + 1)}px 0 {c}" for i, c in enumerate(colours[1:2])
        )
        tip = "\n".join(f"{_flag_type(f)}: {f['reason']}" if f.get("reason") else _flag_type(f) for _, _, f in cover)
        classes = " ".join(f"f-{t}" for t in types)
        out.append(f'<mark class="flag {classes}" style="{style}" title="{_e(tip)}">{segment}</mark>')
    return "".join(out)


def _legend(types: set[str]) -> str:
    spans = "".join(
        f'<span style="background:{FLAG_COLOURS.get(t, OTHER_FLAG_COLOUR)}">{_e(t)}</span>' for t in sorted(types)
    )
    return (
        f'<p class="legend">Flags: {spans} <span class="muted">(overlaps: inner flag colour, outer underlined; '
        "hover a span for its reasons)</span></p>"
    )


def _article(result: dict[str, Any], anchor: str) -> str:
    meta = [
        f"source <b>{_e(_domain(result) or '—')}</b>",
        f"score <b>{_fmt(result.get('score'))}</b>",
        _label(result),
        f"confidence {_fmt(result.get('confidence'), 2)}",
        f"story {_e(result.get('story_id') or '—')}",
        f"input <code>{_e(result.get('input'))}</code>",
    ]
    if result.get("url"):
        meta.append(f"url <code>{_e(result['url'])}</code>")  # shown, never linked or loaded
    derivative = result.get("derivative_of")
    if isinstance(derivative, dict):
        meta.append(f"rewrite of {_e(derivative.get('source') or derivative.get('article_id'))}")
    reasons = "".join(f"<li>{_e(r)}</li>" for r in result.get("reasons") or [])
    text = str(result.get("text") or "")
    body = highlight(text, list(result.get("flags") or [])) if text else '<span class="muted">(no text)</span>'
    return (
        f'<article id="{anchor}"><h3>{_e(_name(result))}</h3><p>{" · ".join(meta)}</p>'
        f'<ul>{reasons}</ul><div class="text">{body}</div></article>'
    )


def _article_section(ordered: list[dict[str, Any]], anchors: dict[int, str], max_full: int) -> str:
    full, rest = ordered[:max_full], ordered[max_full:]
    types = {_flag_type(f) for r in full for f in r.get("flags") or []}
    out = ['<section id="articles"><h2>Articles</h2>', _legend(types | set(FLAG_COLOURS))]
    out += [_article(r, anchors[id(r)]) for r in full]
    if rest:
        out.append(
            f'<p class="note">Only the first {max_full} of {len(ordered)} articles are shown in full; '
            f"the other {len(rest)} are listed below.</p>"
        )
        rows = [
            [
                f'<span id="{anchors[id(r)]}">{_e(_name(r))}</span>',
                _e(_domain(r) or "—"),
                _fmt(r.get("score")),
                _label(r),
                _e(r.get("story_id") or "—"),
            ]
            for r in rest
        ]
        out.append(_table(["Article", "Source", "Score", "Label", "Story"], rows, frozenset({2})))
    return "".join(out) + "</section>"
