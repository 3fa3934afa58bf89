"""Conventions that erode unless a test holds them: the layering of docs/ARCHITECTURE.md among them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

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


def _layering() -> dict[str, set[str] | None]:
    """docs/ARCHITECTURE.md's table: folder or module → the cockpit modules it may import (None: any)."""
    text = (REPO_ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rules: dict[str, set[str] | None] = {}
    for where, allowed in re.findall(r"^\| `((?:cockpit|pages|bench)[^`]*)` \|[^|]*\| ([^|]+) \|$", text, re.M):
        allowed = allowed.strip()
        rules[where] = None if allowed == "everything" else set(re.findall(r"`(cockpit\.[a-z_]+)`", allowed))
    return rules


def _imports(path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "cockpit" and not node.level:
            names = [f"cockpit.{a.name}" for a in node.names]  # `from cockpit import duck` imports cockpit.duck
        else:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
        found += [(node.lineno, name) for name in names if name == "cockpit" or name.startswith("cockpit.")]
    return found


def test_imports_follow_the_layering_in_the_architecture_notes():
    rules = _layering()
    assert {"cockpit/feeds/", "cockpit/query/", "pages/", "cockpit/cli.py"} <= set(rules), "layering table not found"
    files = [*(REPO_ROOT / "cockpit").rglob("*.py"), *(REPO_ROOT / "pages").glob("*.py"), *(REPO_ROOT / "bench").glob("*.py")]
    broken = []
    for path in files:
        relative = path.relative_to(REPO_ROOT).as_posix()
        if relative == "cockpit/__init__.py":
            continue
        owner = max((w for w in rules if relative == w or (w.endswith("/") and relative.startswith(w))),
                    key=len, default=None)
        assert owner is not None, f"{relative} is in no row of docs/ARCHITECTURE.md's layering table: add it"
        allowed = rules[owner]
        if allowed is None:
            continue
        own = "cockpit." + owner.removeprefix("cockpit/").removesuffix(".py").strip("/").replace("/", ".")
        for line, name in _imports(path):
            top = ".".join(name.split(".")[:2])
            if top != own and top not in allowed:
                broken.append(f"{relative}:{line} imports {name}; {owner} may import {sorted(allowed) or 'nothing'}")
    assert broken == [], "\n".join(broken)


def test_nothing_in_the_product_points_outside_the_repository():
    """The product stands on its own: no file refers to the design folder that sits beside the checkout."""
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    offenders = []
    for name in tracked.splitlines():
        path = REPO_ROOT / name
        if (path.suffix not in (".py", ".md", ".sh", ".yaml", ".toml", ".js", ".css", ".txt", "")
                or not path.is_file() or path == Path(__file__)):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"\.\./shared/|/work/shared", text):
            offenders.append(name)
    assert offenders == [], offenders
