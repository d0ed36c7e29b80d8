"""Read inputs (text, HTML, JSON, JSONL files or mappings) into ArticleInput and body text.

HTML goes through trafilatura with its metadata; plain text keeps its page furniture,
which later stages flag instead of silently dropping.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from service.errors import InputError

from .dates import checked_published_at
from .furniture import headline_line
from .normalize import normalize_text
from .records import ArticleInput

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".md")
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> of its first 4 KB, as Python names it, or None.

    ISO-8859-1 and US-ASCII are read as windows-1252, as browsers do (WHATWG Encoding)."""
    import codecs

    match = _DECLARED_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii", "replace")).name
    except LookupError:
        return None
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _decode(data: bytes, label: str) -> str:
    """UTF-8 text; an HTML page that is not UTF-8 is read in the charset it declares."""
    if not data.strip():
        raise InputError(f"{label}: empty input")
    if b"\x00" in data:  # anywhere: PostgreSQL refuses NUL in text, so a store could not hold it
        raise InputError(f"{label}: binary data, not an article (found NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        charset = declared_charset(data)
        if charset is not None:
            try:
                return data.decode(charset)
            except (UnicodeError, LookupError):  # LookupError: a declared codec that is no text encoding (base64)
                pass
        raise InputError(
            f"{label}: invalid UTF-8 at byte {exc.start} (and no charset declared that reads it)"
        ) from None


def read_path(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> list[ArticleInput]:
    """Read one file into one or more articles (a .jsonl file holds one per line)."""
    p = Path(path)
    label = str(path)
    if not p.exists():
        raise InputError(f"{label}: no such file")
    if p.is_dir():
        raise InputError(f"{label}: is a folder (use `reliability batch` for folders)")
    size = p.stat().st_size
    if size > max_bytes:
        raise InputError(f"{label}: file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)")
    text = _decode(p.read_bytes(), label)
    suffix = p.suffix.lower()
    if suffix == ".jsonl":
        articles, errors = jsonl_articles(text, label)
        if errors:
            raise errors[0]
        if not articles:
            raise InputError(f"{label}: empty input")
        return articles
    if suffix == ".json":
        return [_from_json_text(text, label)]
    if suffix in (".html", ".htm") or _looks_like_html(text):
        return [ArticleInput(html=text, input=label)]
    return [ArticleInput(text=text, input=label)]


def jsonl_articles(text: str, label: str) -> tuple[list[ArticleInput], list[InputError]]:
    """The articles of a JSONL text, one per non-empty line, and an error for each line that is not one."""
    articles: list[ArticleInput] = []
    errors: list[InputError] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                articles.append(_from_json_text(line, f"{label}:{lineno}"))
            except InputError as exc:
                exc.path = f"{label}:{lineno}"  # type: ignore[attr-defined]
                errors.append(exc)
    return articles, errors


def read_jsonl_lenient(path: Path, max_bytes: int) -> tuple[list[ArticleInput], list[InputError]]:
    """A JSONL file's good lines and the errors of its bad ones (a batch goes on past a bad line)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)")
    return read_jsonl_bytes(path.read_bytes(), str(path))


def read_jsonl_bytes(data: bytes, label: str) -> tuple[list[ArticleInput], list[InputError]]:
    """`read_jsonl_lenient` of bytes read elsewhere (fsspec); `label` names the file in errors.

    Raises InputError when the whole file is unreadable (empty, binary, not UTF-8)."""
    return jsonl_articles(_decode(data, label), label)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _from_json_text(text: str, label: str) -> ArticleInput:
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise InputError(f"{label}: JSON article must be an object with a 'text' or 'html' field")
        return article_from_mapping(data, label)
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}: invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:  # json (and str() of a field) recurse once per level: [[[[... 100000 deep
        raise InputError(f"{label}: invalid JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer of over 4300 digits
        raise InputError(f"{label}: invalid JSON ({(str(exc) or type(exc).__name__).splitlines()[0]})") from None


_JSON_TYPE_NAMES = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "an object"}
_FIELDS = ("text", "html", "id", "title", "url", "source", "published_at", "language")


def _field_value(name: str, value: Any) -> Any:
    """A field as the article reads it: a missing value (None, NaN as pandas writes it) is None; an
    integer id, or a whole-number float id, is its text; a `source` object ({"id", "name"}, as
    NewsAPI sends it) is its name. Other JSON values are left for the caller to refuse."""
    if isinstance(value, float) and value != value:  # NaN
        return None
    if name == "id" and not isinstance(value, bool):
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return str(int(value))
    if name == "source" and isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    return value


def article_from_mapping(data: dict[str, Any], label: str | None = None) -> ArticleInput:
    """An article from a JSON object (a file, a JSONL line, a `score_articles` dict).

    Raises InputError, naming the fields: a field that is JSON's true/false, a number, a list or
    an object instead of a string (see `_field_value` for what is read: an integer id, a source
    object's name, NaN as missing; other Python values, a datetime, are read as their text), a NUL
    character, no text or HTML, a bad date."""
    data = {**data, **{name: _field_value(name, data[name]) for name in _FIELDS if name in data}}
    wrong = [
        f"'{name}' must be a string, not {_JSON_TYPE_NAMES[type(data[name])]}"
        for name in _FIELDS
        if type(data.get(name)) in _JSON_TYPE_NAMES
    ]
    if wrong:
        raise InputError(f"{label or 'article'}: {'; '.join(wrong)}")
    article = ArticleInput.from_mapping(data, label)
    for name in _FIELDS:
        if "\x00" in (getattr(article, name) or ""):  # a JSON "\u0000": no text, and PostgreSQL refuses it
            raise InputError(f"{label or 'article'}: '{name}' contains a NUL character (U+0000)")
    if not (article.text and article.text.strip()) and not (article.html and article.html.strip()):
        raise InputError(f"{label or 'article'}: needs a non-empty 'text' or 'html' field")
    if article.published_at is not None:
        article.published_at = published_at_field(article.published_at, label)
    return article


def published_at_field(value: str, label: str | None) -> str:
    """A file's `published_at` as stored, or the InputError that refuses the file (dates.py says what passes)."""
    try:
        return checked_published_at(value)
    except ValueError as exc:
        raise InputError(f"{label or 'article'}: 'published_at': {exc}") from None


def source_from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlparse(url).hostname or ""
    except ValueError:  # e.g. "http://[1:2:3]/": a bracketed host that is not an IP address
        return None
    return host.removeprefix("www.") or None


def extract_body(article: ArticleInput) -> tuple[str, ArticleInput, str]:
    """Body text (title first) and the article with metadata filled from HTML; third: the extraction kind."""
    if article.html and not (article.text and article.text.strip()):
        body, meta = _extract_html(article.html, article.url, article.input or "article")
        filled = ArticleInput(
            text=None,
            html=article.html,
            id=article.id,
            title=article.title or meta.get("title"),
            url=article.url or meta.get("url"),
            source=article.source or meta.get("sitename") or source_from_url(meta.get("url")),
            published_at=article.published_at or meta.get("date"),
            language=article.language or meta.get("language"),
            input=article.input,
        )
        kind = "html"
    else:
        body = article.text or ""
        filled = article
        kind = "text"
    if not filled.source:
        filled.source = source_from_url(filled.url)
    body = _with_title(body, filled.title)
    if not body.strip():
        raise InputError(f"{article.input or 'article'}: no body text found")
    return body, filled, kind


def as_plain_text(article: ArticleInput) -> tuple[ArticleInput, str]:
    """The article extracted once: its normalized body (title first) as text, metadata filled; and its kind.

    Scoring it again extracts nothing more (HTML goes through trafilatura here only).
    """
    body, filled, kind = extract_body(article)
    plain = ArticleInput(
        text=normalize_text(body),
        id=filled.id,
        title=filled.title,
        url=filled.url,
        source=filled.source,
        published_at=filled.published_at,
        language=filled.language,
        input=article.input,
    )
    return plain, kind


def _with_title(body: str, title: str | None) -> str:
    """Put the title on the first line, as scraped text files have it, unless it is already there:
    the page's headline line (`furniture.headline_line`: the first line after a pasted menu or
    breadcrumb, as the title of an article sent without one is found)."""
    if not title:
        return body
    lines = body.split("\n")
    index = headline_line(lines)
    first = lines[index].strip() if index >= 0 else ""
    # Compared normalized: a stored article's text is normalized, its title may not be.
    if first == title.strip() or normalize_text(first).strip() == normalize_text(title).strip():
        return body
    return f"{title.strip()}\n\n{body}"


def _extract_html(html: str, url: str | None, label: str) -> tuple[str, dict[str, Any]]:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lxml FutureWarnings inside trafilatura
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
        if doc is None and "<body" not in html.lower():
            # A CMS sends the body as a fragment ("<p>…</p>"); trafilatura finds nothing in a
            # one-paragraph fragment until it sits in a document.
            doc = trafilatura.bare_extraction(
                f"<html><body>{html}</body></html>",
                url=url,
                with_metadata=True,
                include_comments=False,
                include_tables=False,
            )
    if doc is None:
        raise InputError(f"{label}: no article body could be extracted from the HTML")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    # trafilatura separates paragraphs by one newline; articles here use blank lines.
    return "\n\n".join(line for line in text.split("\n") if line.strip()), data
