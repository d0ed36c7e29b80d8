"""Static checks of the WordPress plugin: `php -l` on every PHP file, PHP_CodeSniffer with the
plugin's security ruleset (integrations/wordpress/phpcs.xml, and a check that it does catch what
it is meant to catch), translations complete and built, no HTML parsing in the scripts, no
superglobals read by the plugin, the plugin header and readme.txt consistent.

They need php-cli, php-codesniffer and gettext; missing, they fail and say what to install.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.wordpress.site import APT_PACKAGES, PLUGIN_DIR

INTEGRATION = PLUGIN_DIR.parent
RULESET = INTEGRATION / "phpcs.xml"
PHP_FILES = sorted(INTEGRATION.rglob("*.php"))
JS_FILES = sorted((PLUGIN_DIR / "assets").glob("*.js"))


def tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(
            f"{name} is needed by the WordPress plugin checks: apt-get install -y --no-install-recommends "
            f"{APT_PACKAGES} (`make test` installs them: tests/system-deps.sh)",
            pytrace=False,
        )
    return path


def test_php_lint_every_file() -> None:
    php = tool("php")
    assert len(PHP_FILES) >= 10, PHP_FILES
    failures = []
    for path in PHP_FILES:
        run = subprocess.run([php, "-l", str(path)], capture_output=True, text=True, timeout=60)
        if run.returncode != 0 or "No syntax errors detected" not in run.stdout:
            failures.append(f"{path}: {run.stdout}{run.stderr}")
    assert not failures, "\n".join(failures)


def test_phpcs_security_ruleset_passes_and_bites(tmp_path: Path) -> None:
    phpcs = tool("phpcs")
    run = subprocess.run(
        [phpcs, "-q", "--report=full", f"--standard={RULESET}", str(PLUGIN_DIR)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, f"phpcs found problems:\n{run.stdout}{run.stderr}"

    # The ruleset catches what it is there for (so a broken ruleset cannot pass silently).
    bad = tmp_path / "bad.php"
    bad.write_text(
        "<?php\n/**\n * Bad.\n *\n * @package Bad\n */\n\n/**\n * Bad.\n */\nfunction bad() {\n"
        "\t$x = $_REQUEST['x'];\n\techo '<p>' . $x . '</p>';\n\teval( $x );\n\t$y = unserialize( $x );\n"
        "\t$z = @file_get_contents( $x );\n\t$w = `ls`;\n\tshell_exec( $x );\n\techo esc_html( $x );\n}\n"
    )
    run = subprocess.run(
        [phpcs, "-q", "--report=emacs", f"--standard={RULESET}", str(bad)], capture_output=True, text=True, timeout=120
    )
    found = set(re.findall(r"\(([\w.]+)\)$", run.stdout, re.M))
    expected = {
        "SourceReliability.Security.EscapedOutput.Unescaped",
        "Generic.PHP.ForbiddenFunctions.Found",
        "Generic.PHP.ForbiddenFunctions.FoundWithAlternative",
        "Generic.PHP.NoSilencedErrors.Forbidden",
        "Generic.PHP.BacktickOperator.Found",
        "Generic.PHP.DisallowRequestSuperglobal.Found",
    }
    assert expected <= found, f"the ruleset missed {expected - found}:\n{run.stdout}"
    unescaped = [line for line in run.stdout.splitlines() if "EscapedOutput" in line]
    assert len(unescaped) == 1 and ":13:" in unescaped[0], unescaped  # esc_html( $x ) is fine


def test_translations_complete_and_built() -> None:
    for name in ("xgettext", "msgfmt", "msgmerge"):
        tool(name)
    run = subprocess.run(
        [sys.executable, str(INTEGRATION / "tools" / "i18n.py"), "check"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    languages = PLUGIN_DIR / "languages"
    assert (languages / "source-reliability.pot").exists()
    assert (languages / "source-reliability-fr_FR.mo").exists()
    assert len(list(languages.glob("source-reliability-fr_FR-*.json"))) == len(JS_FILES)


def test_scripts_never_parse_html_or_evaluate_code() -> None:
    assert JS_FILES
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write|\beval\s*\(|new Function\b"
        r"|\bjQuery\s*\(\s*['\"]<|\.html\s*\("
    )
    for path in JS_FILES:
        hits = [line for line in path.read_text(encoding="utf-8").splitlines() if forbidden.search(line)]
        assert not hits, f"{path.name}: {hits}"
    # No secret in what the editor scripts are given.
    for path in PLUGIN_DIR.rglob("*.php"):
        for config in re.findall(r"\$config = array\((.*?)\);", path.read_text(encoding="utf-8"), re.S):
            assert "api_key" not in config.lower(), f"{path.name} sends the API key to a script"


def test_plugin_reads_no_superglobal() -> None:
    """Input comes through WordPress APIs (Settings API sanitize callbacks, REST arguments,
    check_ajax_referer), never straight from $_GET/$_POST/$_REQUEST/$_COOKIE/$_SERVER."""
    for path in PLUGIN_DIR.rglob("*.php"):
        hits = re.findall(r"\$_(GET|POST|REQUEST|COOKIE|SERVER|FILES)\b", path.read_text(encoding="utf-8"))
        assert not hits, f"{path.relative_to(PLUGIN_DIR)} reads {hits}"


def test_plugin_header_and_readme_agree() -> None:
    header = (PLUGIN_DIR / "source-reliability.php").read_text(encoding="utf-8")
    fields = dict(re.findall(r"^ \* ([A-Z][\w ]+?):\s+(.+)$", header, re.M))
    assert fields["Requires at least"] == "6.1" and fields["Requires PHP"] == "8.2"
    assert fields["Text Domain"] == "source-reliability" and fields["Domain Path"] == "/languages"
    readme = (PLUGIN_DIR / "readme.txt").read_text(encoding="utf-8")
    assert readme.startswith("=== Source reliability ===")
    head = dict(re.findall(r"^([A-Z][\w ]+?):\s+(.+)$", readme.split("\n\n")[0], re.M))
    assert head["Stable tag"] == fields["Version"]
    assert head["Requires at least"] == "6.1" and head["Requires PHP"] == "8.2"
    assert head["License"] == fields["License"]
    for section in ("Description", "Installation", "Frequently Asked Questions", "Changelog"):
        assert f"== {section} ==" in readme, section
    assert (PLUGIN_DIR / "uninstall.php").read_text(encoding="utf-8").count("WP_UNINSTALL_PLUGIN") == 1
