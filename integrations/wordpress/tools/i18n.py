#!/usr/bin/env python3
"""Translations of the WordPress plugin, with GNU gettext only (no wp-cli in Debian).

    python3 integrations/wordpress/tools/i18n.py pot     # languages/source-reliability.pot from the PHP and JS sources
    python3 integrations/wordpress/tools/i18n.py update  # merge the .pot into every languages/*.po (msgmerge)
    python3 integrations/wordpress/tools/i18n.py build   # compile each .po to .mo (msgfmt) and to the JSON files
                                                         # of each script (what wp_set_script_translations loads)
    python3 integrations/wordpress/tools/i18n.py check   # fails when a file is out of date or a string untranslated

A script's JSON file is named `source-reliability-LOCALE-MD5.json`, MD5 being the md5 of the
script's path relative to the plugin folder (e.g. md5("assets/editor.js")), as WordPress's
load_script_textdomain() looks it up; it holds the Jed 1.x locale data of the strings whose
references name that script.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1] / "source-reliability"
LANGUAGES = PLUGIN / "languages"
DOMAIN = "source-reliability"
POT = LANGUAGES / f"{DOMAIN}.pot"
SCRIPTS = ("assets/common.js", "assets/editor.js", "assets/classic.js", "assets/settings.js")

PHP_KEYWORDS = [
    "__",
    "_e",
    "_n:1,2",
    "_x:1,2c",
    "_ex:1,2c",
    "_nx:1,2,4c",
    "_n_noop:1,2",
    "esc_html__",
    "esc_html_e",
    "esc_attr__",
    "esc_attr_e",
    "esc_html_x:1,2c",
    "esc_attr_x:1,2c",
]
JS_KEYWORDS = ["__", "_x:1,2c", "_n:1,2", "_nx:1,2,4c"]
# The plugin header's name and description are translated by WordPress with the text domain.
HEADER_STRINGS = {
    "Plugin Name of the plugin": "Source reliability",
    "Description of the plugin": (
        "Scores every draft with the source-reliability service before it is published: score, reasons and "
        "flagged passages in the editor, a warning before publishing."
    ),
}


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def _unquote(text: str) -> str:
    return str(json.loads(text))


def parse_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header fields and the entries of a .po or .pot file (obsolete entries are skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: str | None = None
    refs: list[str] = []
    flags: set[str] = set()

    def finish() -> None:
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#:"):
            finish()
            refs += line[2:].split()
            continue
        if line.startswith("#,"):
            finish()
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$", line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword in ("msgctxt", "msgid") and (current is None or last not in (None, "msgctxt")):
                finish()
            if current is None:
                current = Entry(msgid="", references=refs, flags=flags)
                refs, flags = [], set()
            if keyword == "msgctxt":
                current.msgctxt = value
            elif keyword == "msgid":
                current.msgid = value
            elif keyword == "msgid_plural":
                current.msgid_plural = value
            else:
                n = int(index or 0)
                while len(current.msgstr) <= n:
                    current.msgstr.append("")
                current.msgstr[n] = value
            last = keyword if keyword != "msgstr" or index is None else f"msgstr[{index}]"
            continue
        if line.startswith('"') and current is not None and last is not None:
            value = _unquote(line)
            if last == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            elif last == "msgid":
                current.msgid += value
            elif last == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                n = int(last[7:-1]) if last.startswith("msgstr[") else 0
                current.msgstr[n] += value
            continue
        raise ValueError(f"{path}: cannot parse {raw!r}")
    finish()
    header: dict[str, str] = {}
    body = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            for line in (entry.msgstr[0] if entry.msgstr else "").splitlines():
                name, _, value = line.partition(":")
                header[name.strip()] = value.strip()
        else:
            body.append(entry)
    return header, body


def _run(args: list[str], cwd: Path = PLUGIN) -> None:
    run = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])}...: exit {run.returncode}\n{run.stderr}")


def make_pot(out: Path) -> None:
    """xgettext over the PHP files, then the scripts; the plugin header strings added."""
    php = sorted(str(p.relative_to(PLUGIN)) for p in PLUGIN.rglob("*.php"))
    common = [
        "xgettext",
        "--from-code=UTF-8",
        "--add-comments=translators:",
        "--sort-by-file",
        "--package-name=Source reliability",
        "--package-version=0.1.0",
        "--msgid-bugs-address=",
        "--copyright-holder=Source reliability",
        "--no-wrap",
        f"--output={out}",
    ]
    _run([*common, "--language=PHP", *(f"--keyword={k}" for k in PHP_KEYWORDS), *php])
    _run([*common, "--join-existing", "--language=JavaScript", *(f"--keyword={k}" for k in JS_KEYWORDS), *SCRIPTS])
    text = out.read_text(encoding="utf-8")
    text = text.replace("Content-Type: text/plain; charset=CHARSET", "Content-Type: text/plain; charset=UTF-8")
    text = text.replace('"Language: \\n"\n', '"Language: \\n"\n"X-Domain: source-reliability\\n"\n')
    extra = "".join(
        f'\n#. {comment}\n#: source-reliability.php\nmsgid {json.dumps(value, ensure_ascii=False)}\nmsgstr ""\n'
        for comment, value in HEADER_STRINGS.items()
        if f"msgid {json.dumps(value, ensure_ascii=False)}\n" not in text
    )
    out.write_text(text + extra, encoding="utf-8")


def locales() -> list[Path]:
    return sorted(LANGUAGES.glob(f"{DOMAIN}-*.po"))


def script_json(header: dict[str, str], entries: list[Entry], script: str) -> dict[str, object]:
    """The Jed 1.x locale data WordPress passes to wp.i18n.setLocaleData for one script."""
    messages: dict[str, object] = {
        "": {
            "domain": "messages",
            "lang": header.get("Language", ""),
            "plural-forms": header.get("Plural-Forms", "nplurals=2; plural=(n != 1);"),
        }
    }
    for entry in entries:
        if "fuzzy" in entry.flags or not any(entry.msgstr):
            continue
        if any(ref.split(":")[0] == script for ref in entry.references):
            messages[entry.key] = entry.msgstr
    return {
        "translation-revision-date": header.get("PO-Revision-Date", ""),
        "generator": "integrations/wordpress/tools/i18n.py",
        "source": script,
        "domain": "messages",
        "locale_data": {"messages": messages},
    }


def json_name(po: Path, script: str) -> str:
    return f"{po.stem}-{hashlib.md5(script.encode()).hexdigest()}.json"


def build(target: Path = LANGUAGES) -> None:
    for po in locales():
        _run(["msgfmt", "--check", "--output-file", str(target / f"{po.stem}.mo"), str(po)])
        header, entries = parse_po(po)
        for script in SCRIPTS:
            data = script_json(header, entries, script)
            (target / json_name(po, script)).write_text(
                json.dumps(data, ensure_ascii=False, indent=None, sort_keys=False) + "\n", encoding="utf-8"
            )


def check() -> list[str]:
    """What is out of date or missing; empty when the translations are complete and built."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh.pot"
        make_pot(fresh)
        wanted = {e.key for e in parse_po(fresh)[1]}
        have = {e.key for e in parse_po(POT)[1]}
        if wanted != have:
            problems.append(
                f"{POT.name} is out of date (run `i18n.py pot update build`): "
                f"missing {sorted(wanted - have)}, extra {sorted(have - wanted)}"
            )
        if not locales():
            problems.append("no languages/*.po")
        for po in locales():
            header, entries = parse_po(po)
            keys = {e.key for e in entries}
            if keys != wanted:
                problems.append(f"{po.name}: not merged with the sources: missing {sorted(wanted - keys)}")
            for entry in entries:
                if "fuzzy" in entry.flags or not entry.msgstr or not all(entry.msgstr):
                    problems.append(f"{po.name}: untranslated or fuzzy: {entry.msgid!r}")
            mo = po.with_suffix(".mo")
            if not mo.exists():
                problems.append(f"{mo.name} is missing (run `i18n.py build`)")
            else:
                with mo.open("rb") as handle:
                    catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
                for entry in entries:
                    if entry.msgid_plural is None:
                        got = catalog.get(entry.key)
                        if got != entry.msgstr[0]:
                            problems.append(f"{mo.name} is out of date for {entry.msgid!r}")
                    else:
                        for n, text in enumerate(entry.msgstr):
                            if catalog.get((entry.key, n)) != text:
                                problems.append(f"{mo.name} is out of date for {entry.msgid!r}[{n}]")
            for script in SCRIPTS:
                path = LANGUAGES / json_name(po, script)
                expected = script_json(header, entries, script)
                if not path.exists():
                    problems.append(f"{path.name} ({script}) is missing (run `i18n.py build`)")
                elif json.loads(path.read_text(encoding="utf-8")) != expected:
                    problems.append(f"{path.name} ({script}) is out of date (run `i18n.py build`)")
    return problems


def main(argv: list[str]) -> int:
    if not argv or any(a not in ("pot", "update", "build", "check") for a in argv):
        print(__doc__, file=sys.stderr)
        return 2
    for command in argv:
        if command == "pot":
            make_pot(POT)
        elif command == "update":
            for po in locales():
                _run(["msgmerge", "--quiet", "--update", "--backup=none", "--no-fuzzy-matching", str(po), str(POT)])
        elif command == "build":
            build()
        elif command == "check":
            problems = check()
            for problem in problems:
                print(problem, file=sys.stderr)
            if problems:
                return 1
            print("translations: up to date and complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
