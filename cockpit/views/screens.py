"""The big screen's themes as configuration: which headline tiles, side panels and map layer each
themed screen shows, read from data/screens.yaml and checked against the indicator definitions.

`load_screens()` reads and checks the file once per process (the app factory calls it at start-up,
so a wrong file stops the server with every problem and its line, not a screen at the first
request); `screens()` is the checked result, cached. The file's keys are described at its top.
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
from cockpit.indicators.model import Indicator
from cockpit.safe_yaml import YamlLimitError

SCREENS_FILE = REPO_ROOT / "data" / "screens.yaml"
MAX_HEADLINES = 8  # two rows of four tiles: what the centre column holds above the map
SENSORS = ("alerting", "all")  # the map's sensors: those in warning or alarm, or every one
DEFAULT_NOTE = ""  # a panel's note when the file names none: its kind's (the period, the unit)

# What each panel kind takes besides `kind`, `id`, `title` and `height`, and how far its chart
# sits below the panel's top (title bar and padding), unless `chart_height` says otherwise.
KINDS: dict[str, tuple[frozenset[str], int]] = {
    "trend": (frozenset({"indicators", "frequency"}), 60),  # lines over the last complete periods
    "ranking": (frozenset({"indicator", "frequency"}), 64),  # the scope's children (or its peers), best first
    "index_ranking": (frozenset({"indicator", "frequency"}), 56),  # a composite's ranking, every region
    "index_radar": (frozenset({"indicator", "frequency"}), 56),  # a composite's dimensions at the scope
    "funnel": (frozenset({"steps", "frequency"}), 58),  # counts that each contain the next
    "breakdown": (frozenset({"indicator", "frequency"}), 58),  # an indicator's largest categories
}
_PANEL_KEYS = frozenset({"kind", "id", "title", "height", "note", "chart_height"})


class ScreenConfigError(ValueError):
    """The screen configuration is wrong; lists every problem with its file and line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Tile:
    indicator: str
    frequency: str


@dataclass(frozen=True)
class Step:
    indicator: str
    label: str  # i18n key of the step's short name (受理, 派单 …)


@dataclass(frozen=True)
class Panel:
    kind: str
    id: str  # the panel's element id; its chart is `<id>-graph` (rankings: a pattern-matching id)
    title: str  # i18n key; may use {indicator} (the indicator's name) and {name} (the region's)
    height: int  # pixels on the 1920×1080 canvas
    chart_height: int
    frequency: str
    indicators: tuple[str, ...]  # trend: its lines; funnel: its steps'; others: one
    steps: tuple[Step, ...] = ()
    note: str | None = DEFAULT_NOTE  # i18n key of a fixed note; DEFAULT_NOTE: the kind's; None: no note

    @property
    def indicator(self) -> str:
        return self.indicators[0]


@dataclass(frozen=True)
class MapLayer:
    indicator: str
    frequency: str
    sensors: str = "alerting"


@dataclass(frozen=True)
class Screen:
    key: str
    label: str  # i18n key of the theme's name under the title
    headlines: tuple[Tile, ...]
    map: MapLayer
    left: tuple[Panel, ...]
    right: tuple[Panel, ...]

    @property
    def panels(self) -> tuple[Panel, ...]:
        return self.left + self.right


class _Checker(MappingChecker):
    """Turns the file's mappings into Screens, collecting every problem instead of stopping."""

    unknown_keys_fail = True  # a misspelt panel key would silently draw a different panel

    def __init__(self, file: Path, indicators: dict[str, Indicator]):
        super().__init__(file)
        self.indicators = indicators

    def text(self, raw: dict, key: str, what: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            self.problem(raw, f"{what}: {key} must be text, got {value!r}")
            return ""
        return value

    def pixels(self, raw: dict, key: str, what: str, default: int = 0) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 40 <= value <= 1080:
            self.problem(raw, f"{what}: {key} must be a whole number of pixels from 40 to 1080, got {value!r}")
            return default or 40
        return value

    def indicator(self, raw: dict, ident: object, frequency: str, what: str) -> str:
        """`ident` if it names an indicator defined with `frequency`, else "" (and a problem)."""
        found = self.indicators.get(ident) if isinstance(ident, str) else None
        if found is None:
            self.problem(raw, f"{what}: unknown indicator {ident!r} (not in indicators/*.yaml)")
            return ""
        if frequency and frequency not in found.frequencies:
            self.problem(raw, f"{what}: indicator {ident} has no frequency {frequency!r} "
                              f"(it is defined for {', '.join(found.frequencies)})")
        return ident

    def frequency(self, raw: dict, what: str) -> str:
        value = raw.get("frequency")
        if value not in ("month", "quarter", "year"):
            self.problem(raw, f"{what}: frequency {value!r} is not one of month, quarter, year")
            return ""
        return value

    def tile(self, raw: Any, what: str) -> Tile | None:
        if not isinstance(raw, dict) or not self.keys(raw, frozenset({"indicator", "frequency"}),
                                                      frozenset({"indicator", "frequency"}), what):
            if not isinstance(raw, dict):
                self.problem(raw, f"{what}: a headline is a mapping {{indicator: …, frequency: …}}")
            return None
        frequency = self.frequency(raw, what)
        ident = self.indicator(raw, raw["indicator"], frequency, what)
        return Tile(ident, frequency) if ident and frequency else None

    def panel(self, raw: Any, what: str) -> Panel | None:
        if not isinstance(raw, dict):
            self.problem({}, f"{what}: a panel is a mapping with kind, id, title, height")
            return None
        kind = raw.get("kind")
        if kind not in KINDS:
            self.problem(raw, f"{what}: unknown panel kind {kind!r} (kinds: {', '.join(KINDS)})")
            return None
        takes, offset = KINDS[kind]
        what = f"{what} ({kind} {raw.get('id', '?')})"
        if not self.keys(raw, _PANEL_KEYS | takes, frozenset({"kind", "id", "title", "height"}) | takes, what):
            return None
        panel_id, title = self.text(raw, "id", what), self.text(raw, "title", what)
        height = self.pixels(raw, "height", what)
        chart_height = self.pixels(raw, "chart_height", what, max(height - offset, 40))
        note = raw.get("note", DEFAULT_NOTE)
        if note is not None and not isinstance(note, str):
            self.problem(raw, f"{what}: note must be a text key or null, got {note!r}")
            note = DEFAULT_NOTE
        frequency = self.frequency(raw, what)
        steps: list[Step] = []
        if kind == "trend":
            idents = raw["indicators"]
            if not isinstance(idents, list) or not idents:
                self.problem(raw, f"{what}: indicators must be a non-empty list")
                return None
            indicators = [self.indicator(raw, i, frequency, what) for i in idents]
        elif kind == "funnel":
            if not isinstance(raw["steps"], list) or len(raw["steps"]) < 2:
                self.problem(raw, f"{what}: steps must list at least two {{indicator, label}} mappings")
                return None
            for item in raw["steps"]:
                if not isinstance(item, dict) or not self.keys(item, frozenset({"indicator", "label"}),
                                                               frozenset({"indicator", "label"}), f"{what}: step"):
                    if not isinstance(item, dict):
                        self.problem(raw, f"{what}: a step is a mapping {{indicator: …, label: …}}")
                    return None
                steps.append(Step(self.indicator(item, item["indicator"], frequency, f"{what}: step"),
                                  self.text(item, "label", f"{what}: step")))
            indicators = [s.indicator for s in steps]
        else:
            indicators = [self.indicator(raw, raw["indicator"], frequency, what)]
            found = self.indicators.get(indicators[0])
            if kind in ("index_ranking", "index_radar") and found is not None and found.composite is None:
                self.problem(raw, f"{what}: {indicators[0]} is not a composite index")
            if kind == "breakdown" and found is not None and (found.measure is None or not found.measure.breakdown):
                self.problem(raw, f"{what}: {indicators[0]} has no breakdown (its measure declares none)")
        if not all(indicators) or not frequency or not panel_id or not title:
            return None
        return Panel(kind=kind, id=panel_id, title=title, height=height, chart_height=chart_height,
                     frequency=frequency, indicators=tuple(indicators), steps=tuple(steps), note=note)

    def screen(self, key: object, raw: Any) -> Screen | None:
        what = f"screen {key}"
        if not isinstance(raw, dict):
            self.problem({}, f"{what}: a screen is a mapping with label, headlines, map, left, right")
            return None
        if not self.keys(raw, frozenset({"label", "headlines", "map", "left", "right"}),
                         frozenset({"label", "headlines", "map", "left", "right"}), what):
            return None
        heads = raw["headlines"]
        if not isinstance(heads, list) or not 1 <= len(heads) <= MAX_HEADLINES:
            self.problem(raw, f"{what}: headlines must list 1 to {MAX_HEADLINES} tiles")
            heads = []
        tiles = [self.tile(h, f"{what}: headline") for h in heads]
        layer = raw["map"]
        shown: MapLayer | None = None
        if isinstance(layer, dict) and self.keys(layer, frozenset({"indicator", "frequency", "sensors"}),
                                                 frozenset({"indicator", "frequency"}), f"{what}: map"):
            frequency = self.frequency(layer, f"{what}: map")
            ident = self.indicator(layer, layer["indicator"], frequency, f"{what}: map")
            sensors = layer.get("sensors", "alerting")
            if sensors not in SENSORS:
                self.problem(layer, f"{what}: map: sensors {sensors!r} is not one of {', '.join(SENSORS)}")
            elif ident and frequency:
                shown = MapLayer(ident, frequency, sensors)
        elif not isinstance(layer, dict):
            self.problem(raw, f"{what}: map must be a mapping {{indicator, frequency, sensors}}")
        columns = {}
        for side in ("left", "right"):
            items = raw[side]
            if not isinstance(items, list) or not items:
                self.problem(raw, f"{what}: {side} must list its panels")
                items = []
            columns[side] = [self.panel(p, f"{what}: {side} panel") for p in items]
        seen: set[str] = set()
        for item in [*raw["left"], *raw["right"]] if isinstance(raw["left"], list) and isinstance(raw["right"], list) else []:
            ident = item.get("id") if isinstance(item, dict) else None
            if ident in seen:
                self.problem(item, f"{what}: panel id {ident!r} is used twice")
            seen.add(ident)
        if shown is None or None in tiles or None in columns["left"] or None in columns["right"] or not tiles:
            return None
        return Screen(key=str(key), label=self.text(raw, "label", what), headlines=tuple(tiles),  # type: ignore[arg-type]
                      map=shown, left=tuple(columns["left"]), right=tuple(columns["right"]))  # type: ignore[arg-type]


def check_screens(path: Path | None = None, indicators: dict[str, Indicator] | None = None
                  ) -> tuple[dict[str, Screen], list[Problem]]:
    """The screens a file (default SCREENS_FILE) declares, and every problem with it (against
    `indicators`, by default the definitions in indicators/*.yaml)."""
    path = path or SCREENS_FILE
    if indicators is None:
        systems, _ = read_systems()  # their own problems are `cockpit check`'s to report
        indicators = {i.id: i for s in systems for i in s.indicators}
    checker = _Checker(path, indicators)
    try:
        raw = read_yaml_with_lines(path)
    except FileNotFoundError:
        return {}, [Problem(str(path), 1, "the screen configuration is missing")]
    except YamlLimitError as e:
        return {}, [Problem(str(path), e.line, str(e))]
    except Exception as e:  # YAML that does not parse, text that is not UTF-8
        mark = getattr(e, "problem_mark", None)
        return {}, [Problem(str(path), mark.line + 1 if mark else 1, f"cannot be read: {e}")]
    if not isinstance(raw, dict) or not isinstance(raw.get("screens"), dict) or not raw["screens"]:
        return {}, [Problem(str(path), 1, "the file must hold `screens:`, a mapping of screen keys to screens")]
    unknown = {str(k) for k in raw} - {"screens", LINE}
    if unknown:
        checker.problem(raw, f"unknown top-level key(s) {', '.join(sorted(unknown))}")
    found = {}
    for key, body in raw["screens"].items():
        if key == LINE:
            continue
        if not isinstance(key, str) or not key.isidentifier():
            checker.problem(raw["screens"], f"screen key {key!r} must be a lower_snake_case word (it is in the URL)")
            continue
        screen = checker.screen(key, body)
        if screen is not None:
            found[key] = screen
    if "overview" not in found and not checker.problems:
        checker.problem(raw["screens"], "there must be an `overview` screen: /screen shows it")
    return found, checker.problems


@cache
def screens() -> dict[str, Screen]:
    """The themed screens in the file's order, `overview` first; ScreenConfigError when the file is wrong."""
    found, problems = check_screens()
    if problems:
        raise ScreenConfigError(problems)
    return {"overview": found["overview"], **found}


def load_screens() -> dict[str, Screen]:
    """Read and check the screens now (the app factory calls this at start-up)."""
    return screens()
