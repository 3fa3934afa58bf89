"""Conventions that erode unless a test holds them (see ../shared/design/MODELS.md)."""

from __future__ import annotations

import re
import subprocess
import sys

from cockpit.config import REPO_ROOT
from cockpit.indicators.definitions import read_systems


def test_pages_hold_no_sql_and_never_open_duckdb():
    for page in (REPO_ROOT / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(import duckdb|from duckdb)", text, re.M), f"{page.name} imports duckdb"
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\s+.+\s+(FROM|INTO|SET)\b", text), f"{page.name} holds SQL"


def test_every_indicator_says_what_it_means_who_owns_it_and_which_way_is_good():
    systems, problems = read_systems()
    assert problems == []
    for system in systems:
        assert system.description and system.headline, system.id
        for ind in system.indicators:
            assert len(ind.description) >= 20, f"{ind.id}: describe what it means and how to read it"
            assert ind.unit is not None and ind.owner, ind.id
            assert ind.polarity in ("higher_better", "lower_better", "band", "neutral"), ind.id


def test_every_setting_is_documented():
    from cockpit import config

    documented = config.__doc__ or ""
    for name in re.findall(r'os\.environ\.get\("([A-Z_]+)"', (REPO_ROOT / "cockpit" / "config.py").read_text()):
        assert name in documented, f"{name} is read but not documented in cockpit/config.py"


def test_code_is_ruff_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(REPO_ROOT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
