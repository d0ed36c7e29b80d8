"""The settings table: every setting documented in the README, sources in the documented order."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.cli import main
from service.errors import UsageError
from service.settings import SETTINGS, load_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert not missing, f"README.md does not document {missing}"
    assert len({s.name for s in SETTINGS}) == len(SETTINGS) and all(s.help for s in SETTINGS)


def test_defaults_file_then_environment(tmp_path: Path) -> None:
    config = tmp_path / "reliability.toml"
    config.write_text('port = 9000\nrate_limit = "10/minute"\nfetch_urls = true\n', encoding="utf-8")
    env = {"RELIABILITY_CONFIG": str(config), "RELIABILITY_PORT": "9100"}
    values = load_settings(environ=env)
    assert values["port"] == 9100  # environment beats the file
    assert values["rate_limit"] == "10/minute" and values["fetch_urls"] is True
    assert values["workers"] == 1  # default
    assert values["database_url"].startswith("sqlite:///") and values["database_url"].endswith("reliability.db")
    assert load_settings({"port": 1234}, environ=env)["port"] == 1234


def test_bad_settings_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="RELIABILITY_PORT"):
        load_settings(environ={"RELIABILITY_PORT": "eighty"})
    with pytest.raises(UsageError, match="RELIABILITY_FETCH_URLS"):
        load_settings(environ={"RELIABILITY_FETCH_URLS": "maybe"})
    config = tmp_path / "bad.toml"
    config.write_text("colour = 'red'\n", encoding="utf-8")
    with pytest.raises(UsageError, match="unknown setting"):
        load_settings(environ={"RELIABILITY_CONFIG": str(config)})


def test_settings_command_prints_the_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELIABILITY_BATCH_MAX_ARTICLES", "7")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == len(SETTINGS)
    line = next(line for line in out.splitlines() if line.startswith("batch_max_articles"))
    assert "RELIABILITY_BATCH_MAX_ARTICLES" in line and " 7 " in line
    monkeypatch.setenv("RELIABILITY_PORT", "x")
    assert main(["settings"]) == 2
