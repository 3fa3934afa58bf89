"""The themed screens as configuration (data/screens.yaml), and the one theme of colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cockpit.views.screens import KINDS, ScreenConfigError, check_screens, screens

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "screens.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
screens:
  overview:
    label: screen.theme.overview
    headlines:
      - {indicator: gdp_ytd, frequency: quarter}
    map: {indicator: waste_free_index, frequency: month}
    left:
      - {kind: ranking, id: p-one, title: screen.ranking_of, indicator: gdp_real_growth, frequency: quarter,
         height: 296}
    right:
      - {kind: trend, id: p-two, title: screen.economy, indicators: [gdp_real_growth], frequency: quarter,
         height: 296}
"""


def test_the_shipped_configuration_is_valid_and_names_known_strings():
    from cockpit.ui.i18n import STRINGS

    found, problems = check_screens()
    assert problems == []
    assert list(found)[0] == "overview" and set(found) >= {"economy", "governance", "environment", "waste_free",
                                                           "infrastructure"}
    keys = {s.label for s in found.values()} | {p.title for s in found.values() for p in s.panels}
    keys |= {p.note for s in found.values() for p in s.panels if p.note}
    keys |= {step.label for s in found.values() for p in s.panels for step in p.steps}
    assert keys - set(STRINGS) == set()
    for screen in found.values():  # a column of three panels fills the 920 px body with its two 16 px gaps
        for column in (screen.left, screen.right):
            assert sum(p.height for p in column) + 16 * (len(column) - 1) <= 920, screen.key


def test_a_small_valid_file_reads_with_the_kinds_defaults(tmp_path):
    found, problems = check_screens(_write(tmp_path, GOOD))
    assert problems == []
    ranking, trend = found["overview"].left[0], found["overview"].right[0]
    assert ranking.chart_height == 296 - KINDS["ranking"][1] and trend.chart_height == 296 - KINDS["trend"][1]
    assert ranking.indicator == "gdp_real_growth" and found["overview"].map.sensors == "alerting"


@pytest.mark.parametrize(("change", "message"), [
    (("indicator: gdp_real_growth, frequency: quarter,\n         height", "indicator: gdp_realgrowth, frequency: quarter,\n         height"),
     "unknown indicator 'gdp_realgrowth'"),
    (("{kind: ranking", "{kind: pie"), "unknown panel kind 'pie'"),
    (("indicators: [gdp_real_growth], frequency: quarter", "indicators: [gdp_real_growth], frequency: month"),
     "indicator gdp_real_growth has no frequency 'month'"),
    (("frequency: quarter}\n", "frequency: weekly}\n"), "frequency 'weekly' is not one of"),
    (("height: 296}\n    right", "height: 5000}\n    right"), "height must be a whole number of pixels"),
    (("id: p-two", "id: p-one"), "panel id 'p-one' is used twice"),
    (("    map:", "    colour: red\n    map:"), "unknown key(s) colour"),
])
def test_a_wrong_file_is_named_with_its_line_and_screen(tmp_path, change, message):
    path = _write(tmp_path, GOOD.replace(*change))
    _, problems = check_screens(path)
    assert problems, change
    text = "\n".join(str(p) for p in problems)
    assert message in text and "screen overview" in text and str(path) in text
    # the line of the mapping that holds the mistake: the panel, or for a key of the screen, the screen's first line
    marker = "label: screen.theme.overview" if "unknown key" in message else change[1].split("\n")[0]
    wrong_line = max(n for n, line in enumerate(path.read_text().splitlines(), 1) if marker in line)
    assert any(abs(p.line - wrong_line) <= 1 for p in problems), (problems, wrong_line)


def test_the_app_does_not_start_on_a_wrong_file(tmp_path, monkeypatch):
    import cockpit.views.screens as module

    monkeypatch.setattr(module, "SCREENS_FILE", _write(tmp_path, GOOD.replace("{kind: ranking", "{kind: pie")))
    module.screens.cache_clear()
    try:
        from cockpit.web import create_app

        with pytest.raises(ScreenConfigError, match="unknown panel kind 'pie'"):
            create_app()
    finally:
        module.screens.cache_clear()
        monkeypatch.undo()
    assert screens()["overview"].key == "overview"  # the shipped file again


def test_a_composite_kind_needs_a_composite(tmp_path):
    text = GOOD.replace("{kind: ranking, id: p-one, title: screen.ranking_of, indicator: gdp_real_growth",
                        "{kind: index_radar, id: p-one, title: screen.ranking_of, indicator: gdp_real_growth")
    _, problems = check_screens(_write(tmp_path, text))
    assert any("gdp_real_growth is not a composite index" in p.message for p in problems)


# -- the theme ---------------------------------------------------------------------------------

HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
# a colour written as channels; fully transparent (rgba(0,0,0,0)) is no colour of the palette
CHANNELS = re.compile(r"rgba?\(\s*\d+\s*,\s*\d+\s*,\s*\d+(?!\s*,\s*0\s*\))")


def test_colours_css_is_the_theme_module():
    from cockpit.ui.theme import css_variables

    css = (ROOT / "assets" / "theme" / "colours.css").read_text(encoding="utf-8")
    assert css_variables() in css, "assets/theme/colours.css is stale: run `python -m cockpit.ui.theme`"


def _sources() -> list[Path]:
    own = [ROOT / "cockpit" / "ui" / "theme.py", ROOT / "assets" / "theme" / "colours.css"]
    files = [*(ROOT / "cockpit").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "assets").glob("*.js"),
             *(ROOT / "assets").rglob("*.css")]
    return [f for f in files if f not in own and "_vendor" not in f.parts]


def test_no_colour_is_spelled_in_hex_outside_the_theme():
    spelled = []
    for path in _sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//")[0] if path.suffix == ".js" else line
            for match in HEX.finditer(code):
                if path.suffix == ".css" and re.search(r"#[\w-]+\s*[{,.:\[]", code[match.start():]) \
                        and not re.search(r":\s*[^;{]*" + re.escape(match.group(0)), code):
                    continue  # an id selector (#shell-demo-banner), not a colour
                spelled.append(f"{path.relative_to(ROOT)}:{n}: {match.group(0)}")
            spelled += [f"{path.relative_to(ROOT)}:{n}: {m.group(0)}" for m in CHANNELS.finditer(code)]
    assert spelled == [], "use cockpit.ui.theme (Python) or var(--cockpit-…) (CSS, JS)"


def test_every_colour_variable_the_styles_use_is_defined():
    from cockpit.ui.theme import COLOURS

    defined = {f"--cockpit-{n}" for n in COLOURS} | {f"--cockpit-{n}-rgb" for n in COLOURS}
    used = set()
    for path in _sources():
        used |= set(re.findall(r"var\((--cockpit-[\w-]+)\)", path.read_text(encoding="utf-8")))
    assert used and used - defined == set()
