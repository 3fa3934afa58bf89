"""Which indicator systems (themes) each kind of department works with, as configuration:
data/departments.yaml, checked against the indicator definitions.

A department is named by its county and its kind (越城区 + 综合行政执法局, 国网 + 西湖区 + 供电公司),
so the file declares kinds by how their names end, not every county's departments. `themes_of`
gives a name the themes of the kind with the longest ending the name ends with, and none when no
kind's ending fits: deny by default. `cockpit.state.accounts.viewer_for` narrows a staff viewer
to them.

`load_department_themes()` reads and checks the file once per process (the sign-in gate calls it
when the app is made, so a wrong file stops the start with every problem and its line, not a
sign-in later); `department_themes()` is the checked result, cached; `check_department_themes()`
returns the problems instead of raising (`cockpit check`). The file's keys are described at its top.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cockpit.config import REPO_ROOT
from cockpit.indicators.definitions import (
    LINE,
    MappingChecker,
    Problem,
    read_systems,
    read_yaml_with_lines,
)

DEPARTMENTS_FILE = REPO_ROOT / "data" / "departments.yaml"
MIN_ENDING = 2  # characters: one (局) would give a kind's themes to nearly every department
_KIND_KEYS = frozenset({"themes", "also"})


class DepartmentConfigError(ValueError):
    """The department configuration is wrong; lists every problem with its file and line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class DepartmentKind:
    name: str  # the kind's usual ending: the file's key (综合行政执法局)
    endings: tuple[str, ...]  # the name first, then the other endings of its kind (城管局 …)
    themes: frozenset[str]
    line: int


@dataclass(frozen=True)
class DepartmentThemes:
    kinds: tuple[DepartmentKind, ...]

    def kind_of(self, department: str | None) -> DepartmentKind | None:
        """The kind whose ending is the longest `department` ends with; None when none fits."""
        name = department.strip() if isinstance(department, str) else ""
        fitting = [(len(ending), kind) for kind in self.kinds for ending in kind.endings if name.endswith(ending)]
        return max(fitting, key=lambda found: found[0])[1] if fitting else None

    def themes_of(self, department: str | None) -> frozenset[str]:
        """The systems a department's staff may see: its kind's, none for a name of no kind."""
        kind = self.kind_of(department)
        return kind.themes if kind is not None else frozenset()


class _Checker(MappingChecker):
    unknown_keys_fail = True  # a misspelt `themes` would silently give a kind nothing

    def __init__(self, file: Path, systems: frozenset[str]):
        super().__init__(file)
        self.systems = systems
        self.seen: dict[str, str] = {}  # ending -> the kind that declared it

    def texts(self, raw: dict, key: str, what: str, required: bool) -> list[str]:
        value = raw.get(key, None if required else [])
        if not isinstance(value, list) or (required and not value) or not all(
                isinstance(v, str) and v.strip() for v in value):
            self.problem(raw, f"{what}: {key} must be a {'non-empty ' if required else ''}list of names, got {value!r}")
            return []
        return [v.strip() for v in value]

    def kind(self, name: str, raw: Any, parent: dict) -> DepartmentKind | None:
        what = f"department kind {name}"
        if not isinstance(raw, dict):
            self.problem(parent, f"{what}: a kind is a mapping {{themes: [...], also: [...]}}, got {raw!r}")
            return None
        if not self.keys(raw, _KIND_KEYS, frozenset({"themes"}), what):
            return None
        themes = self.texts(raw, "themes", what, required=True)
        unknown = [t for t in themes if t not in self.systems]
        if unknown:
            self.problem(raw, f"{what}: unknown indicator system(s) {', '.join(unknown)} "
                              f"(systems: {', '.join(sorted(self.systems))})")
        endings = [name, *self.texts(raw, "also", what, required=False)]
        usable = True
        for ending in endings:
            if len(ending) < MIN_ENDING:
                self.problem(raw, f"{what}: the ending {ending!r} is shorter than {MIN_ENDING} characters: "
                                  "it would fit departments of every kind")
                usable = False
            elif self.seen.get(ending, name) != name:
                self.problem(raw, f"{what}: the ending {ending!r} is declared by {self.seen[ending]} too")
                usable = False
            else:
                self.seen[ending] = name
        if unknown or not themes or not usable:
            return None
        return DepartmentKind(name=name, endings=tuple(dict.fromkeys(endings)), themes=frozenset(themes),
                              line=raw.get(LINE, 1))


def check_department_themes(path: Path | None = None, systems: frozenset[str] | None = None
                            ) -> tuple[DepartmentThemes, list[Problem]]:
    """The kinds a file (default DEPARTMENTS_FILE) declares, and every problem with it (against
    `systems`, by default the ids of the systems in indicators/*.yaml)."""
    path = path or DEPARTMENTS_FILE
    if systems is None:
        found, _ = read_systems()  # their own problems are `cockpit check`'s to report
        systems = frozenset(s.id for s in found)
    nothing = DepartmentThemes(())
    try:
        raw = read_yaml_with_lines(path)  # within cockpit.safe_yaml's limits
    except FileNotFoundError:
        return nothing, [Problem(str(path), 1, "the department configuration is missing")]
    except Exception as e:  # YAML that does not parse or is beyond the limits, text that is not UTF-8
        mark = getattr(e, "problem_mark", None)
        return nothing, [Problem(str(path), mark.line + 1 if mark else 1, f"cannot be read: {e}")]
    if not isinstance(raw, dict) or not isinstance(raw.get("departments"), dict):
        return nothing, [Problem(str(path), 1, "the file must hold `departments:`, a mapping of kinds to their themes")]
    checker = _Checker(path, systems)
    unknown = {str(k) for k in raw} - {"departments", LINE}
    if unknown:
        checker.problem(raw, f"unknown top-level key(s) {', '.join(sorted(unknown))}")
    kinds = []
    for name, body in raw["departments"].items():
        if name == LINE:
            continue
        if not isinstance(name, str) or not name.strip():
            checker.problem(raw["departments"], f"department kind {name!r} must be the ending of its names (text)")
            continue
        kind = checker.kind(name.strip(), body, raw["departments"])
        if kind is not None:
            kinds.append(kind)
    return DepartmentThemes(tuple(kinds)), checker.problems


@cache
def department_themes() -> DepartmentThemes:
    """The checked configuration; DepartmentConfigError when the file is wrong."""
    found, problems = check_department_themes()
    if problems:
        raise DepartmentConfigError(problems)
    return found


def load_department_themes() -> DepartmentThemes:
    """Read and check the configuration now (the sign-in gate calls this when the app is made)."""
    return department_themes()


def themes_of(department: str | None) -> frozenset[str]:
    """The indicator systems the staff of `department` work with (none for a name of no kind)."""
    return department_themes().themes_of(department)
