"""Deterministic test corpus for `reliability batch`: a folder tree of mixed formats.

    python bench/make_corpus.py OUT_DIR --n 2000 [--seed 0] [--data ../shared/data] [--manifest FILE]

`generate_corpus(out_dir, n_articles, seed=0, data_dir=None)` writes the tree and returns a
manifest dict. Same (n_articles, seed) and the same inputs give a byte-identical tree: one
`random.Random(seed)` drives every choice, everything is iterated in sorted order, no
timestamps are written. OUT_DIR must be missing or empty. 2,000 articles take well under a
second (plus one 6 MB file).

Text comes, read-only, from `DATA/rpm2-fr-dev/documents.jsonl` (200 French news articles,
20 stories of 10; DATA defaults to ../shared/data beside the project) and from the bundled
`service/examples/` (11 files). Nothing is copied into the project; only into OUT_DIR.

Composition (n = n_articles readable records, each JSONL line counting as one):

- duplicates: round(3 % of n) exact copies of generated articles (same title and body), under
  another file name and another format; every other one is credited to another outlet
  (a syndicated copy), the rest to the same outlet (the page collected twice).
- originals: the 11 examples byte for byte (the French .txt ones in folders named after their
  outlets), then the rpm2 documents in cluster order, all 200 once when
  n >= about 500 (for a smaller n: at most 45 % of the non-duplicate records).
- close variants: per rpm2 story 2 to 4 more articles (story size 12 to 14; duplicates are
  picked so that no story exceeds 15 records), per example story (EN, FR) 2 to 4. A variant keeps a
  random 60-90 % of its base's sentences in order (at least 3, always fewer than the base), its
  paragraphs grouped as in the base; its title is kept, dropped (about 1 in 5) or changed (a
  rubric prefix, or the first words of its first sentence); it gets an outlet that is not yet
  in its story.
- synthetic stories fill the rest: story k takes 4-8 sentences from each of 2-3 rpm2 documents of
  different topics (sentences drawn from a per-document shuffled queue, so they are seldom
  reused), shuffles them into paragraphs of 1-3 sentences under a title made of the first words
  of its first sentence: that is the story's lead; 2-7 variants of the lead (as above) follow,
  so a synthetic story has 3-8 articles (the last one up to 10, to land on n exactly).
- every text (paragraphs, whitespace-normalised) is distinct except the duplicates.

For n=2000, seed 0: 11 examples + 200 rpm2 originals, 61 rpm2 variants, 5 example variants,
1663 articles in 301 synthetic stories (301 leads + 1362 variants), 60 duplicates (50 of them in
synthetic stories); 325 stories: 20 rpm2 stories of 12-15 records, 2 example stories of 7, 2
singletons (the unrelated examples), 301 synthetic stories of 3-10 (3: 52, 4: 48, 5: 45, 6: 38,
7: 49, 8: 53, 9: 15, 10: 1; with duplicates).

Outlets: 60 domains `{name}{k}.example` (plus the examples' own), chosen per story among the
least used so far, so each has ~30 articles at n=2000. The outlet reaches the reader through the
JSON `source`/`url` fields (1 JSON file in 5 has only `url`), the sidecar `NAME.meta.json`, the
HTML `og:site_name`/`og:url`, or, for plain .txt files without metadata, the folder name
(`txt/outlets/{domain}/...`).

Formats (shares of the generated records; the examples keep theirs):
~20 % .txt with a sidecar `NAME.meta.json` (title, url, source, published_at, language) under
`txt/YYYY/MM/`; ~20 % .txt in an outlet-named folder, title on the first line, a blank line,
then the body; ~20 % .json (one object: id, title, text, url, source, published_at, language)
under `json/YYYY-MM/`; ~15 % .html (an HTML page with <title>, og:site_name, og:title, og:url,
article:published_time and <article><h1>..</h1><p>..</p>...</article>) under `html/YYYY/MM/DD/`;
~25 % records in `feeds/jsonl/part-NNN.jsonl` files of 50. A title-less article never goes to a
plain .txt or an .html file (the first line of a plain .txt file is its title). Paragraphs are
separated by a blank line in .txt and JSON text.

Corrupted files (max(6, round(1 % of n)), listed in manifest["corrupted"] with `kind` and a
`reason` fragment of the reader's error): a .txt of binary data with NUL bytes (`binary`), an
empty .txt (`empty`), a .txt in Windows-1252 (`invalid_utf8`), a truncated .json
(`invalid_json`), a .jsonl with one truncated line among valid records (`invalid_jsonl_line`;
its valid records are counted in `articles`: the batch reads JSONL leniently, while `read_path`
alone rejects the whole file), a .txt of 6.1 MiB (6.4 MB) of valid UTF-8 text (`too_large`: over
the batch's default 5 MiB cap). Beyond six, the first four kinds repeat.

Manifest: articles, distinct, duplicates, corrupted (above), plus n_articles, seed, files,
formats, roles, outlets, stories, story_sizes ({size: number of stories}) and records (one per
readable record: path ("FILE" or "FILE.jsonl:LINE", relative to OUT_DIR, POSIX), id, story, role
(original / variant / synthetic / duplicate), base (the path of the variant's base, the
synthetic story's lead, or the duplicated record), outlet, format).
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "service" / "examples"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
RPM2 = Path("rpm2-fr-dev") / "documents.jsonl"

MIN_ARTICLES = 20
DUPLICATE_SHARE = 0.03
CORRUPT_SHARE = 0.01
ORIGINAL_SHARE_MAX = 0.45
MAX_STORY_SIZE = 15
JSONL_PER_FILE = 50
TOO_LARGE_BYTES = 6 * 1024 * 1024 + 100_003
FORMAT_SHARES = (("txt_meta", 0.20), ("txt_folder", 0.20), ("json", 0.20), ("html", 0.15), ("jsonl", 0.25))
TITLELESS_OK = ("txt_meta", "json", "jsonl")

OUTLET_NAMES = (
    "courrier", "gazette", "depeche", "journal", "echo", "tribune",
    "observateur", "quotidien", "matin", "soir", "republicain", "dauphine",
)  # fmt: skip
OUTLETS = tuple(f"{name}{k}.example" for k in range(1, 6) for name in OUTLET_NAMES)

# The careful / fair / sloppy trios added with 0.12.0 are left out: the benchmark corpus stays the
# one every earlier figure was measured on (11 example files, 2 example stories).
TRIO_PREFIXES = ("en_fire_", "fr_gymnase_")

# Outlets of the bundled French .txt examples (service/examples/README.md); they become folder names.
EXAMPLE_TXT_OUTLETS = {
    "fr_courrierdulimousin": "courrierdulimousin.fr",
    "fr_regionseco": "regionseco.fr",
    "fr_actualitecentre": "lactualite-centre.fr",
    "fr_buzzactu": "buzz-actu.fr",
}
SECTIONS = ("actualite", "politique", "monde", "societe", "economie", "regions", "culture", "sport")
PREFIXES = {
    "fr": ("INFO. ", "VIDÉO. ", "Ce qu'il faut savoir : ", "Direct : ", "Décryptage : ", "ANALYSE. "),
    "en": ("UPDATE: ", "Explained: ", "Live: ", "Analysis: ", "What we know: "),
}

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…»\"”])\s+(?=[«\"“A-ZÀ-ÖØ-Þ])")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*")
_TOO_SHORT = 25  # characters: shorter sentences (captions, datelines) are not used in synthetic stories

CORRUPT_KINDS = ("binary", "empty", "invalid_utf8", "invalid_json", "invalid_jsonl_line", "too_large")
CORRUPT_REASONS = {
    "binary": "binary data",
    "empty": "empty input",
    "invalid_utf8": "invalid UTF-8",
    "invalid_json": "invalid JSON",
    "invalid_jsonl_line": "invalid JSON",
    "too_large": "file too large",
}


# ----------------------------------------------------------------------------- text units


@dataclass
class Base:
    """A text that variants can be made of: paragraphs of sentences."""

    title: str | None
    paragraphs: list[list[str]]
    language: str

    @property
    def n_sentences(self) -> int:
        return sum(len(p) for p in self.paragraphs)


@dataclass
class Article:
    serial: int
    story: str
    role: str  # original | variant | synthetic | duplicate
    title: str | None
    paragraphs: list[str]
    outlet: str
    published_at: str
    language: str
    base: int | None = None  # serial of the base / lead / duplicated article
    fmt: str = ""
    raw: bytes | None = None  # example files, written byte for byte
    raw_name: str = ""
    path: str = ""  # locator once written: FILE or FILE.jsonl:LINE
    source_field: bool = True  # JSON formats: write "source" (else only "url")
    comparable: bool = True  # False for the example HTML page, whose text is not parsed


@dataclass
class _State:
    rng: random.Random
    seed: int
    articles: list[Article] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    usage: Counter[str] = field(default_factory=Counter)
    story_outlets: dict[str, set[str]] = field(default_factory=dict)

    def next_serial(self) -> int:
        return len(self.articles)


def split_sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(paragraph.strip()) if s.strip()]


def to_base(title: str | None, text: str, language: str) -> Base:
    paragraphs = [split_sentences(p) for p in _PARAGRAPH_SPLIT.split(text) if p.strip()]
    return Base(title, [p for p in paragraphs if p], language)


def text_key(paragraphs: list[str]) -> str:
    """What 'the same text' means: the paragraphs, whitespace-normalised."""
    return "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def slugify(text: str, limit: int = 50) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-") or "article"


def _title_from(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    words = words[: rng.randint(6, 11)]
    title = " ".join(words).rstrip(' ,;:.-–«"“(')
    return title[:1].upper() + title[1:]


# ----------------------------------------------------------------------------- inputs


def _load_rpm2(data_dir: Path) -> list[dict[str, Any]]:
    path = data_dir / RPM2
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the rpm2-fr-dev documents are expected there (see --data)")
    with path.open(encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    return sorted(docs, key=lambda d: (str(d["cluster"]), str(d["doc_id"])))


class _ArticleHTML(HTMLParser):
    """<h1> and plain <p> text inside <article> (enough for the bundled example page)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.current: list[str] | None = None
        self.title: str | None = None
        self.paragraphs: list[str] = []
        self.tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.depth += 1
        elif self.depth and tag in ("h1", "p") and not attrs:
            self.current, self.tag = [], tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        elif self.current is not None and tag == self.tag:
            text = " ".join("".join(self.current).split())
            if tag == "h1":
                self.title = text
            elif text:
                self.paragraphs.append(text)
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


@dataclass
class Example:
    name: str
    story: str
    raw: bytes
    outlet: str | None
    base: Base | None  # None: the HTML page, not parsed
    published_at: str | None
    variants: bool  # the two stories get variants; the unrelated examples stay alone


def _load_examples(examples_dir: Path) -> list[Example]:
    found: list[Example] = []
    for path in sorted(examples_dir.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".json", ".txt", ".html", ".htm") or path.name.endswith(".meta.json"):
            continue  # a NAME.meta.json sidecar holds an outlet (EXAMPLE_TXT_OUTLETS), not an article
        if path.name.startswith(TRIO_PREFIXES):
            continue
        raw = path.read_bytes()
        stem = path.stem
        lang = stem.split("_")[0] if stem.split("_")[0] in ("en", "fr") else stem.rsplit("_", 1)[-1]
        story = f"example-{stem}" if stem.startswith("unrelated") else f"example-{lang}"
        base: Base | None = None
        outlet: str | None = None
        published: str | None = None
        if suffix == ".json":
            data = json.loads(raw.decode("utf-8"))
            base = to_base(data.get("title"), data.get("text") or "", data.get("language") or lang)
            outlet, published = data.get("source"), data.get("published_at")
        elif suffix == ".txt":
            title, _, body = raw.decode("utf-8").partition("\n")
            base = to_base(title.strip() or None, body, lang)
            outlet = EXAMPLE_TXT_OUTLETS.get(stem)
        else:
            parser = _ArticleHTML()
            parser.feed(raw.decode("utf-8"))
            outlet = None  # the page names its outlet (og:site_name)
        variants = base is not None and not story.startswith("example-unrelated")
        found.append(Example(path.name, story, raw, outlet, base, published, variants))
    return found


# ----------------------------------------------------------------------------- building


def _pick_outlet(state: _State, story: str) -> str:
    used = state.story_outlets.setdefault(story, set())
    candidates = [o for o in OUTLETS if o not in used] or list(OUTLETS)
    least = min(state.usage[o] for o in candidates)
    outlet = state.rng.choice([o for o in candidates if state.usage[o] == least])
    state.usage[outlet] += 1
    used.add(outlet)
    return outlet


def _story_date(rng: random.Random, year: int) -> datetime:
    return datetime(year, 1, 1, 6, 0) + timedelta(days=rng.randrange(365))


def _published(rng: random.Random, start: datetime) -> str:
    return (start + timedelta(minutes=rng.randrange(0, 48 * 60))).strftime("%Y-%m-%dT%H:%M:00+01:00")


def _add(state: _State, article: Article) -> bool:
    key = text_key(article.paragraphs)
    if not key or key in state.keys:
        return False
    state.keys.add(key)
    state.articles.append(article)
    return True


def _variant_paragraphs(base: Base, rng: random.Random) -> list[str] | None:
    units = [(pi, s) for pi, para in enumerate(base.paragraphs) for s in para]
    total = len(units)
    if total < 4:
        return None
    keep = max(3, round(total * rng.uniform(0.6, 0.9)))
    keep = min(keep, total - 1)
    chosen = sorted(rng.sample(range(total), keep))
    grouped: dict[int, list[str]] = {}
    for i in chosen:
        pi, sentence = units[i]
        grouped.setdefault(pi, []).append(sentence)
    return [" ".join(grouped[pi]) for pi in sorted(grouped)]


def _variant_title(base: Base, paragraphs: list[str], rng: random.Random) -> str | None:
    """Dropped (1 in 5), kept, prefixed with a rubric, or made of the first words of the first sentence."""
    draw = rng.random()
    if draw < 0.2:
        return None
    if not base.title or draw >= 0.8:
        return _title_from(paragraphs[0], rng)
    if draw < 0.55:
        return base.title
    return rng.choice(PREFIXES.get(base.language, PREFIXES["fr"])) + base.title


def _add_variant(state: _State, base: Base, base_serial: int, story: str, start: datetime) -> bool:
    rng = state.rng
    for _ in range(20):
        paragraphs = _variant_paragraphs(base, rng)
        if paragraphs is None:
            return False
        if text_key(paragraphs) in state.keys:
            continue
        title = _variant_title(base, paragraphs, rng)
        article = Article(
            serial=state.next_serial(),
            story=story,
            role="variant",
            title=title,
            paragraphs=paragraphs,
            outlet=_pick_outlet(state, story),
            published_at=_published(rng, start),
            language=base.language,
            base=base_serial,
        )
        return _add(state, article)
    return False


def _build(state: _State, docs: list[dict[str, Any]], examples: list[Example], unique: int) -> None:
    rng = state.rng
    # 1. originals: the examples, then whole rpm2 clusters in order
    budget = min(len(examples) + len(docs), max(len(examples), int(unique * ORIGINAL_SHARE_MAX)))
    example_serials: dict[str, list[tuple[int, Base]]] = {}
    for ex in examples:
        serial = state.next_serial()
        base = ex.base
        paragraphs = [" ".join(p) for p in base.paragraphs] if base else [ex.name]
        if ex.outlet:
            state.usage[ex.outlet] += 1
            state.story_outlets.setdefault(ex.story, set()).add(ex.outlet)
        outlet = ex.outlet or (_pick_outlet(state, ex.story) if ex.name.endswith(".txt") else "")
        fmt = "example_txt_folder" if ex.name.endswith(".txt") else "example"
        if ex.name.endswith((".html", ".htm")):
            fmt = "example_html"
        art = Article(
            serial,
            ex.story,
            "original",
            base.title if base else None,
            paragraphs,
            outlet,
            ex.published_at or "",
            base.language if base else "",
            fmt=fmt,
            raw=ex.raw,
            raw_name=ex.name,
        )
        if base is None:
            art.comparable = False  # the HTML page: its text is not compared
            state.articles.append(art)
        elif not _add(state, art):
            raise ValueError(f"example {ex.name} repeats the text of another example")
        if base is not None and ex.variants:
            example_serials.setdefault(ex.story, []).append((serial, base))
    clusters: dict[str, list[tuple[int, Base]]] = {}
    cluster_dates: dict[str, datetime] = {}
    for doc in docs[: max(0, budget - len(examples))]:
        cluster = str(doc["cluster"])
        if cluster not in cluster_dates:
            cluster_dates[cluster] = _story_date(rng, 2008)
        base = to_base(str(doc["title"]).strip() or None, str(doc["text"]), "fr")
        serial = state.next_serial()
        art = Article(
            serial,
            cluster,
            "original",
            base.title,
            [" ".join(p) for p in base.paragraphs],
            _pick_outlet(state, cluster),
            _published(rng, cluster_dates[cluster]),
            "fr",
        )
        if _add(state, art):
            clusters.setdefault(cluster, []).append((serial, base))

    # 2. close variants of the example stories and the rpm2 clusters
    variant_budget = max(0, (unique - len(state.articles)) // 2)
    families = [(story, members, _story_date(rng, 2025)) for story, members in sorted(example_serials.items())]
    families += [(story, members, cluster_dates[story]) for story, members in sorted(clusters.items())]
    for story, members, start in families:
        eligible = [(s, b) for s, b in members if b.n_sentences >= 4]
        if not eligible:
            continue
        for _ in range(rng.randint(2, 4)):
            if variant_budget <= 0 or len(state.articles) >= unique:
                break
            serial, base = rng.choice(eligible)
            if _add_variant(state, base, serial, story, start):
                variant_budget -= 1

    # 3. synthetic stories from sentence pools of documents of different topics
    by_topic: dict[str, list[list[str]]] = {}
    for doc in docs:
        sentences = [s for line in _PARAGRAPH_SPLIT.split(str(doc["text"])) for s in split_sentences(line)]
        sentences = [s for s in sentences if len(s) >= _TOO_SHORT]
        if len(sentences) >= 4:
            rng.shuffle(sentences)
            by_topic.setdefault(str(doc["topic"]), []).append(sentences)
    topics = sorted(by_topic)
    if len(topics) < 2:
        raise ValueError("the rpm2 documents need at least two topics with 4+ sentences")
    cursors: Counter[tuple[str, int]] = Counter()
    k = 0
    stall = 0
    while len(state.articles) < unique:
        remaining = unique - len(state.articles)
        size = rng.randint(3, 8)
        if remaining - size < 3:
            size = remaining
        k += 1
        story = f"S{k:04d}"
        pool: list[str] = []
        for topic in sorted(rng.sample(topics, rng.randint(2, min(3, len(topics))))):
            which = rng.randrange(len(by_topic[topic]))
            queue = by_topic[topic][which]
            take = min(rng.randint(4, 8), len(queue))
            start_at = cursors[topic, which]
            pool += [queue[(start_at + i) % len(queue)] for i in range(take)]
            cursors[topic, which] = start_at + take
        pool = list(dict.fromkeys(pool))
        rng.shuffle(pool)
        groups: list[list[str]] = []
        i = 0
        while i < len(pool):
            step = rng.randint(1, 3)
            groups.append(pool[i : i + step])
            i += step
        base = Base(_title_from(pool[0], rng), groups, "fr")
        start = _story_date(rng, 2024)
        lead = Article(
            state.next_serial(),
            story,
            "synthetic",
            base.title,
            [" ".join(p) for p in groups],
            _pick_outlet(state, story),
            _published(rng, start),
            "fr",
        )
        if not _add(state, lead):
            stall += 1
            if stall > 1000:
                raise RuntimeError("cannot find new texts for synthetic stories")
            continue
        for _ in range(size - 1):
            _add_variant(state, base, lead.serial, story, start)


def _assign_formats(state: _State, generated: list[Article]) -> None:
    rng = state.rng
    counts = [(fmt, round(share * len(generated))) for fmt, share in FORMAT_SHARES]
    slots = [fmt for fmt, count in counts for _ in range(count)]
    slots += ["jsonl"] * (len(generated) - len(slots))
    slots = slots[: len(generated)]
    rng.shuffle(slots)
    titled = [a for a in generated if a.title]
    titleless = [a for a in generated if not a.title]
    free = list(slots)
    for art in titleless:
        pick = next((i for i, f in enumerate(free) if f in TITLELESS_OK), None)
        art.fmt = free.pop(pick) if pick is not None else rng.choice(TITLELESS_OK)
    for art, fmt in zip(titled, free, strict=False):
        art.fmt = fmt
    for i, art in enumerate(generated):
        art.source_field = art.fmt not in ("json", "jsonl") or i % 5 != 4


def _add_duplicates(state: _State, n_dup: int) -> None:
    rng = state.rng
    sizes = Counter(a.story for a in state.articles)
    picked: list[Article] = []
    sources = [a for a in state.articles if a.raw is None]
    for src in rng.sample(sources, len(sources)):
        if len(picked) == n_dup:
            break
        if sizes[src.story] < MAX_STORY_SIZE:  # keeps an rpm2 story at 15 records at most
            sizes[src.story] += 1
            picked.append(src)
    for i, src in enumerate(sorted(picked, key=lambda a: a.serial)):
        fmts = [f for f, _ in FORMAT_SHARES if f != src.fmt and (src.title or f in TITLELESS_OK)]
        outlet = src.outlet if i % 2 == 0 else _pick_outlet(state, src.story)
        dup = Article(
            state.next_serial(),
            src.story,
            "duplicate",
            src.title,
            list(src.paragraphs),
            outlet,
            src.published_at,
            src.language,
            base=src.serial,
            fmt=rng.choice(fmts),
        )
        state.articles.append(dup)


# ----------------------------------------------------------------------------- writing


def _url(art: Article, slug: str) -> str:
    section = SECTIONS[art.serial % len(SECTIONS)]
    return f"https://www.{art.outlet}/{section}/{slug}"


def _slug(art: Article) -> str:
    return f"{slugify(art.title or 'article')}-{art.serial:05d}"


def _record(art: Article, slug: str, seed: int) -> dict[str, Any]:
    record: dict[str, Any] = {"id": f"c{seed}-{art.serial:05d}"}
    if art.title:
        record["title"] = art.title
    record["text"] = "\n\n".join(art.paragraphs)
    record["url"] = _url(art, slug)
    if art.source_field:
        record["source"] = art.outlet
    record["published_at"] = art.published_at
    record["language"] = art.language
    return record


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def _html_page(art: Article, slug: str) -> str:
    e = html.escape
    title = art.title or ""
    url = _url(art, slug)
    body = "\n".join(f"<p>{e(p, quote=False)}</p>" for p in art.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{art.language}">
<head>
<meta charset="utf-8">
<title>{e(title)} | {e(art.outlet)}</title>
<meta property="og:site_name" content="{e(art.outlet)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{e(title)}">
<meta property="og:url" content="{e(url)}">
<meta property="article:published_time" content="{art.published_at}">
<link rel="canonical" href="{e(url)}">
</head>
<body>
<header><nav><a href="/">Accueil</a> <a href="/{SECTIONS[art.serial % len(SECTIONS)]}">Rubrique</a></nav></header>
<main>
<article>
<h1>{e(title, quote=False)}</h1>
{body}
</article>
</main>
<footer><p>&copy; {e(art.outlet)}</p></footer>
</body>
</html>
"""


class _Writer:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.files: list[str] = []

    def write(self, rel: str, data: bytes | str) -> None:
        if rel in self.files:
            raise RuntimeError(f"{rel}: written twice")
        path = self.out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.files.append(rel)


def _write_articles(state: _State, writer: _Writer, corrupt_jsonl_valid: int) -> list[list[Article]]:
    """Write every article but the JSONL ones, which are returned in files of JSONL_PER_FILE."""
    jsonl: list[Article] = []
    for art in state.articles:
        if art.raw is not None:
            folder = f"examples/{art.outlet}" if art.fmt == "example_txt_folder" else "examples"
            art.path = f"{folder}/{art.raw_name}"
            writer.write(art.path, art.raw)
            continue
        slug = _slug(art)
        date = art.published_at
        yyyy, mm, dd = date[:4], date[5:7], date[8:10]
        if art.fmt == "txt_meta":
            art.path = f"txt/{yyyy}/{mm}/{slug}.txt"
            writer.write(art.path, "\n\n".join(art.paragraphs) + "\n")
            meta = {k: v for k, v in _record(art, slug, state.seed).items() if k not in ("id", "text")}
            meta["source"] = art.outlet
            writer.write(f"txt/{yyyy}/{mm}/{slug}.meta.json", _dumps(meta) + "\n")
        elif art.fmt == "txt_folder":
            art.path = f"txt/outlets/{art.outlet}/{slug}.txt"
            writer.write(art.path, f"{art.title}\n\n" + "\n\n".join(art.paragraphs) + "\n")
        elif art.fmt == "json":
            art.path = f"json/{yyyy}-{mm}/{slug}.json"
            writer.write(art.path, json.dumps(_record(art, slug, state.seed), ensure_ascii=False, indent=2) + "\n")
        elif art.fmt == "html":
            art.path = f"html/{yyyy}/{mm}/{dd}/{slug}.html"
            writer.write(art.path, _html_page(art, slug))
        elif art.fmt == "jsonl":
            jsonl.append(art)
        else:
            raise AssertionError(art.fmt)
    chunks = [jsonl[:corrupt_jsonl_valid]]
    rest = jsonl[corrupt_jsonl_valid:]
    chunks += [rest[i : i + JSONL_PER_FILE] for i in range(0, len(rest), JSONL_PER_FILE)]
    return chunks


def _write_jsonl(state: _State, writer: _Writer, chunks: list[list[Article]]) -> dict[str, Any] | None:
    """Write the JSONL files; the first one (if any) gets a truncated line after its second record."""
    corrupt: dict[str, Any] | None = None
    for index, chunk in enumerate(chunks):
        if not chunk:
            continue
        rel = f"feeds/jsonl/part-{index:03d}.jsonl"
        lines: list[str] = []
        for art in chunk:
            lines.append(_dumps(_record(art, _slug(art), state.seed)))
            art.path = f"{rel}:{len(lines)}"
            if index == 0 and len(lines) == min(2, len(chunk)):
                lines.append(lines[-1][: len(lines[-1]) // 2])
                corrupt = {
                    "path": rel,
                    "kind": "invalid_jsonl_line",
                    "reason": CORRUPT_REASONS["invalid_jsonl_line"],
                    "line": len(lines),
                    "valid_records": len(chunk),
                }
        writer.write(rel, "\n".join(lines) + "\n")
    return corrupt


def _write_corrupted(state: _State, writer: _Writer, count: int) -> list[dict[str, Any]]:
    rng = state.rng
    kinds = [k for k in CORRUPT_KINDS if k != "invalid_jsonl_line"]
    extra = [kinds[i % 4] for i in range(max(0, count - len(CORRUPT_KINDS)))]
    sample_text = "\n\n".join(a.paragraphs[0] for a in state.articles[:40] if a.raw is None and a.paragraphs)
    result: list[dict[str, Any]] = []
    for i, kind in enumerate(kinds + extra):
        serial = len(state.articles) + i
        date = _published(rng, _story_date(rng, 2024))
        folder = f"txt/{date[:4]}/{date[5:7]}"
        name = f"{slugify(rng.choice(SECTIONS))}-{serial:05d}"
        if kind == "binary":
            rel = f"{folder}/{name}.txt"
            data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(4096)
        elif kind == "empty":
            rel, data = f"{folder}/{name}.txt", b""
        elif kind == "invalid_utf8":
            rel = f"{folder}/{name}.txt"
            data = ("Été " + sample_text[:1500] + "\n").encode("cp1252", errors="replace")
        elif kind == "invalid_json":
            rel = f"json/{date[:7]}/{name}.json"
            text = _dumps({"id": f"c{state.seed}-{serial:05d}", "title": "Article tronqué", "text": sample_text[:800]})
            data = text[: len(text) // 2].encode("utf-8")
        else:  # too_large: valid text, over the 5 MB default cap
            rel = f"txt/outlets/{OUTLETS[0]}/{name}.txt"
            chunk = ("Archive intégrale\n\n" + sample_text + "\n\n").encode("utf-8")
            data = (chunk * (TOO_LARGE_BYTES // len(chunk) + 1))[:TOO_LARGE_BYTES]
            data = data[: data.rfind(b"\n") + 1]
        writer.write(rel, data)
        result.append({"path": rel, "kind": kind, "reason": CORRUPT_REASONS[kind]})
    return result


# ----------------------------------------------------------------------------- entry points


def generate_corpus(out_dir: Path, n_articles: int, seed: int = 0, data_dir: Path | None = None) -> dict[str, Any]:
    """Write a corpus of n_articles readable records under out_dir (missing or empty); return its manifest."""
    if n_articles < MIN_ARTICLES:
        raise ValueError(f"n_articles must be at least {MIN_ARTICLES}")
    out_dir = Path(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir}: not an empty folder")
    docs = _load_rpm2(Path(data_dir) if data_dir is not None else DEFAULT_DATA)
    examples = _load_examples(EXAMPLES)
    state = _State(random.Random(seed), seed)
    n_dup = round(n_articles * DUPLICATE_SHARE)
    _build(state, docs, examples, n_articles - n_dup)
    _assign_formats(state, [a for a in state.articles if a.raw is None])
    _add_duplicates(state, n_dup)

    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir)
    chunks = _write_articles(state, writer, corrupt_jsonl_valid=4)
    corrupt_jsonl = _write_jsonl(state, writer, chunks)
    corrupted = _write_corrupted(state, writer, max(len(CORRUPT_KINDS), round(n_articles * CORRUPT_SHARE)))
    if corrupt_jsonl is not None:
        corrupted.append(corrupt_jsonl)
    corrupted.sort(key=lambda c: c["path"])

    by_serial = {a.serial: a for a in state.articles}
    keys = Counter(text_key(a.paragraphs) for a in state.articles if a.comparable)
    comparable = sum(keys.values())
    stories = Counter(a.story for a in state.articles)
    records = [
        {
            "path": a.path,
            "id": f"c{seed}-{a.serial:05d}" if a.raw is None else a.raw_name,
            "story": a.story,
            "role": a.role,
            "base": by_serial[a.base].path if a.base is not None else None,
            "outlet": a.outlet or None,
            "format": a.fmt,
        }
        for a in sorted(state.articles, key=lambda a: a.path)
    ]
    html_examples = sum(1 for a in state.articles if a.fmt == "example_html")
    return {
        "n_articles": n_articles,
        "seed": seed,
        "articles": len(state.articles),
        "distinct": len(keys) + (len(state.articles) - comparable),
        "duplicates": comparable - len(keys),
        "corrupted": corrupted,
        "files": len(writer.files),
        "formats": dict(sorted(Counter(a.fmt for a in state.articles).items())),
        "roles": dict(sorted(Counter(a.role for a in state.articles).items())),
        "outlets": len({a.outlet for a in state.articles if a.outlet}) + html_examples,
        "stories": len(stories),
        "story_sizes": dict(sorted(Counter(stories.values()).items())),
        "records": records,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out_dir", type=Path, help="folder to create (missing or empty)")
    parser.add_argument("--n", type=int, default=2000, help="readable records to write (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None, help="data folder (default ../shared/data)")
    parser.add_argument("--manifest", type=Path, default=None, help="also write the full manifest (JSON) there")
    args = parser.parse_args(argv)
    try:
        manifest = generate_corpus(args.out_dir, args.n, seed=args.seed, data_dir=args.data)
    except (ValueError, FileExistsError, FileNotFoundError) as exc:
        print(f"make_corpus: {exc}", file=sys.stderr)
        return 2
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = {k: v for k, v in manifest.items() if k != "records"}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
