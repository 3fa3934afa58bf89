"""Which themes a department's staff see (issue #13): data/departments.yaml, checked with file and
line, and every page, the navigation, the records and their export for a staff member outside a
page's theme, in-process through the app, signed in as that staff member would be.

The themes come from the mapping: were it ignored (a staff viewer seeing every theme, as before),
the power company would see the economy page, its navigation would list it and the export would
send the grid's events, and these tests fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cockpit import web
from cockpit.query.departments import (
    DEPARTMENTS_FILE,
    DepartmentConfigError,
    check_department_themes,
    department_themes,
    themes_of,
)
from cockpit.ui.workbench import OUT_OF_THEMES
from tests.test_server_hardening import _component, no_leak, render

POWER = "国网越城区供电公司"  # infrastructure and the hotline
ENFORCEMENT = "越城区综合行政执法局"  # the hotline, the grid and waste
STATISTICS = "越城区统计局"  # the economy alone
NOWHERE = "越城区某某办公室"  # a department of no declared kind
SYSTEMS = frozenset({"economy", "environment", "grid", "hotline", "infrastructure", "services", "waste_free"})


# -- the configuration ---------------------------------------------------------------------------

def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "departments.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_configuration_is_valid_and_names_real_systems():
    found, problems = check_department_themes()
    assert problems == []
    assert {t for kind in found.kinds for t in kind.themes} <= SYSTEMS
    assert found.themes_of(ENFORCEMENT) == {"hotline", "grid", "waste_free"}
    assert found.themes_of("国网西湖区供电公司") == {"infrastructure", "hotline"}
    assert found.themes_of("区城管局") == found.themes_of(ENFORCEMENT)  # another ending of the same kind
    assert found.themes_of(" 越城区政务服务中心 ") == {"services", "hotline"}
    # the longest ending decides: a 不动产登记服务中心 is not a 政务服务中心, a 住房公积金管理中心 neither
    assert found.kind_of("越城区不动产登记服务中心").name == "不动产登记服务中心"
    assert found.themes_of(NOWHERE) == frozenset() and found.themes_of(None) == frozenset()  # deny by default
    assert themes_of(STATISTICS) == {"economy"}  # what viewer_for asks


def test_every_department_that_handles_12345_orders_keeps_the_hotline():
    from cockpit.demo.vocab import DEPARTMENTS, HOTLINE_CATEGORIES, SERVICE_ITEMS

    handling = {c.department for c in HOTLINE_CATEGORIES} | {s.department for s in SERVICE_ITEMS}
    for key, (prefix, kind) in DEPARTMENTS.items():
        name = f"{prefix}越城区{kind}"
        themes = department_themes().themes_of(name)
        assert themes, f"{name} is of no kind in {DEPARTMENTS_FILE.name}"
        if key in handling:
            assert "hotline" in themes, name


def test_problems_are_reported_with_file_and_line(tmp_path):
    path = _write(tmp_path, """departments:
  综合行政执法局: {themes: [hotline, grid]}
  生态环境分局: {themes: [environment, wastefree]}
  供电公司: {themes: [infrastructure], also: [局]}
  水务集团: {themes: []}
  燃气公司: {themes: [infrastructure], colour: red}
  城管局: {themes: [hotline], also: [综合行政执法局]}
""")
    found, problems = check_department_themes(path, SYSTEMS)
    said = {(p.line, p.message.split(":")[0]) for p in problems}
    assert all(p.file == str(path) for p in problems)
    assert (3, "department kind 生态环境分局") in said
    assert any("wastefree" in p.message and p.line == 3 for p in problems)
    assert any("'局'" in p.message and p.line == 4 for p in problems)  # one character fits every bureau
    assert any(p.line == 5 and "non-empty" in p.message for p in problems)
    assert any(p.line == 6 and "colour" in p.message for p in problems)
    assert any(p.line == 7 and "综合行政执法局" in p.message and "declared by" in p.message for p in problems)
    assert [k.name for k in found.kinds] == ["综合行政执法局"]  # the good one is still read


@pytest.mark.parametrize("text, problem", [
    ("", "`departments:`"),
    ("departments: [a, b]\n", "`departments:`"),
    ("departments:\n  x: [\n", "cannot be read"),
    ("departments:\n  供电公司: {themes: [infrastructure]}\nextra: 1\n", "unknown top-level key"),
    ("departments:\n  供电公司: infrastructure\n", "a kind is a mapping"),
])
def test_a_file_that_is_not_a_configuration_says_so(tmp_path, text, problem):
    _, problems = check_department_themes(_write(tmp_path, text), SYSTEMS)
    assert problems and problem in problems[0].message and problems[0].file.endswith("departments.yaml")


def test_cockpit_check_reports_a_bad_system_name_with_file_and_line(tmp_path, monkeypatch):
    from tests.test_state_cli import cockpit

    path = _write(tmp_path, "departments:\n  供电公司: {themes: [infrastructure, hotline]}\n"
                            "  水务集团: {themes: [infrastructure, water]}\n")
    monkeypatch.setattr("cockpit.query.departments.DEPARTMENTS_FILE", path)
    status, _, err = cockpit(monkeypatch, "check")
    assert status == 1
    assert f"{path}:3: department kind 水务集团: unknown indicator system(s) water" in err
    assert "problem(s) in the departments' themes" in err


def test_adding_a_staff_account_says_which_themes_its_department_gets(state_store, monkeypatch):
    from tests.conftest import TEST_PASSWORD
    from tests.test_state_cli import cockpit

    def add(name: str, department: str) -> str:
        status, _, err = cockpit(monkeypatch, "users", "add", name, "--role", "staff", "--region", "330602",
                                 "--department", department, input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n")
        assert status == 0, err
        return " ".join(err.split())

    assert "li sees the themes of a 综合行政执法局: grid, hotline, waste_free" in add("li", "区城管局")
    assert f"{NOWHERE} is of no kind in departments.yaml: wu sees no theme" in add("wu", NOWHERE)


def test_a_wrong_file_stops_the_app_from_starting(tmp_path, monkeypatch, state_store):
    monkeypatch.setattr("cockpit.query.departments.DEPARTMENTS_FILE",
                        _write(tmp_path, "departments:\n  供电公司: {themes: [power]}\n"))
    department_themes.cache_clear()
    try:
        with pytest.raises(DepartmentConfigError, match=r"departments\.yaml:2: .*power"):
            web.create_app()
    finally:
        department_themes.cache_clear()


# -- the pages, the navigation, the records and the export ----------------------------------------

def test_every_department_page_declares_its_themes_its_own_first():
    import sys

    import dash

    from cockpit.indicators.definitions import read_systems

    web.create_app()
    systems, _ = read_systems()
    system_of = {i.id: s.id for s in systems for i in s.indicators}
    declared = {p["path"]: p for p in dash.page_registry.values() if p.get("themes")}
    assert set(declared) == {"/economy", "/governance", "/environment", "/infrastructure", "/waste-free"}
    for path, page in declared.items():
        spec = sys.modules[page["module"]].SPEC
        assert page["themes"] == spec.themes and set(spec.themes) <= SYSTEMS, path
        assert system_of[spec.lead] == spec.themes[0], path  # the page's own theme is its lead's



@pytest.fixture()
def app(use_demo_lake, sign_in):
    app = web.create_app()
    sign_in(app).get("/")  # the first signed-in request registers the pages router and callbacks
    return app


NAMES = {POWER: "power-clerk", ENFORCEMENT: "enforcement-clerk", STATISTICS: "statistics-clerk",
         NOWHERE: "nowhere-clerk"}


def _staff(app, sign_in, department: str):
    return sign_in(app, NAMES[department], role="staff", region="330602", department=department)


def _page(app, client, path: str, search: str = "") -> tuple[dict, str]:
    status, text = render(app, client, path, search)
    assert status == 200, text[:300]
    no_leak(text)
    return json.loads(text), text


def _refused(tree: dict) -> bool:
    return _component(tree, OUT_OF_THEMES) is not None


# every department page, and a department whose staff may not see its own theme
OUTSIDE = [("/economy", POWER), ("/environment", POWER), ("/waste-free", POWER), ("/infrastructure", ENFORCEMENT),
           ("/governance", STATISTICS)]


def test_every_page_outside_the_departments_themes_says_so_and_shows_no_data(app, sign_in):
    for path, department in OUTSIDE:
        tree, text = _page(app, _staff(app, sign_in, department), path, "?region=330602&lang=zh")
        assert _refused(tree), (path, department)
        assert "该页面不在您所在部门的主题范围内" in text
        # no numbers, no charts, no filter bar: nothing of the page's data
        assert '"figure"' not in text and "/records?" not in text and "wb-filter-bar" not in text, path
    tree, text = _page(app, _staff(app, sign_in, POWER), "/economy", "?lang=en")
    assert _refused(tree) and "outside your department's themes" in text


def test_a_page_within_the_themes_is_drawn_without_the_others_panels(app, sign_in):
    power = _staff(app, sign_in, POWER)
    tree, text = _page(app, power, "/infrastructure", "?region=330602")
    assert not _refused(tree) and _component(tree, "infra-body") is not None
    # the power company takes 12345 orders: the governance page is the hotline's, without the grid's
    # events or the one-stop services beside it (themes of other departments)
    tree, text = _page(app, power, "/governance", "?region=330602")
    assert not _refused(tree) and _component(tree, "gov-body") is not None
    assert _component(tree, "gov-grid") is None and _component(tree, "gov-services") is None
    assert "grid_events" not in text and "service_cases" not in text
    clerk = _staff(app, sign_in, ENFORCEMENT)
    tree, _ = _page(app, clerk, "/governance", "?region=330602")
    assert _component(tree, "gov-grid") is not None and _component(tree, "gov-services") is None
    tree, _ = _page(app, clerk, "/waste-free")
    assert not _refused(tree) and _component(tree, "wb-filter-bar") is not None


def test_home_shows_only_the_departments_systems_and_says_when_it_has_none(app, sign_in):
    tree, _ = _page(app, _staff(app, sign_in, POWER), "/")
    shown = {s for s in SYSTEMS if _component(tree, f"home-system-{s}") is not None}
    assert shown == {"infrastructure", "hotline"}
    tree, text = _page(app, _staff(app, sign_in, NOWHERE), "/")
    assert _component(tree, "home-no-themes") is not None and not any(
        _component(tree, f"home-system-{s}") for s in SYSTEMS)
    assert "home-value-" not in text
    for path in ("/governance", "/economy", "/environment", "/infrastructure", "/waste-free"):
        assert _refused(_page(app, _staff(app, sign_in, NOWHERE), path)[0]), path


def test_the_navigation_lists_only_the_pages_the_viewer_may_open(app, sign_in):
    def links(client) -> set[str]:
        layout = client.get("/_dash-layout")
        assert layout.status_code == 200
        return {p for p in ("/economy", "/governance", "/environment", "/infrastructure", "/waste-free", "/screen")
                if f'"href": "{p}"' in json.dumps(layout.get_json(), ensure_ascii=False)}

    assert links(_staff(app, sign_in, POWER)) == {"/governance", "/infrastructure"}  # no big screen for staff
    assert links(_staff(app, sign_in, ENFORCEMENT)) == {"/governance", "/waste-free"}
    assert links(_staff(app, sign_in, NOWHERE)) == set()
    assert links(sign_in(app)) == {"/economy", "/governance", "/environment", "/infrastructure", "/waste-free",
                                   "/screen"}  # a leader: every page


def test_an_indicator_of_another_departments_theme_looks_unknown(app, sign_in):
    power = _staff(app, sign_in, POWER)
    assert power.get("/indicator/grid_events").status_code == 404
    assert power.get("/indicator/hotline_orders").status_code == 200
    tree, text = _page(app, power, "/indicator/grid_events", "?region=330602")
    assert _component(tree, "notfound-page") is not None and "没有这项指标" in text
    assert '"figure"' not in text


def test_records_of_another_departments_theme_are_refused_and_not_exported(app, sign_in):
    from cockpit.query.snapshot import current_snapshot

    period = current_snapshot().periods("grid_events", "month")[0]
    power, clerk = _staff(app, sign_in, POWER), _staff(app, sign_in, ENFORCEMENT)
    for search in (f"?indicator=grid_events&region=330602&frequency=month&period={period}",
                   "?feed=waste_manifests&region=330602"):
        tree, text = _page(app, power, "/records", search)
        assert "这些记录不在您所在部门的主题范围内" in text, search
        assert _component(tree, "records-problem-page") is not None and "records-grid" not in text
        answer = power.get(f"/records/export{search}&format=csv")
        assert answer.status_code == 403, search  # forbidden, as a region out of scope is
        body = answer.get_data(as_text=True)
        assert "outside the themes this viewer may see" in body and len(body.splitlines()) == 1  # why, and no rows
        tree, text = _page(app, clerk, "/records", search)  # the department whose theme it is
        assert "records-grid" in text, search
        assert clerk.get(f"/records/export{search}&format=csv").status_code == 200


def test_panels_of_themes_the_viewer_may_not_see_are_left_out_not_drawn_empty(use_demo_lake):
    from cockpit.query.reader import Reader
    from cockpit.query.viewer import Viewer
    from cockpit.views import environment as env
    from cockpit.views import governance as gov
    from cockpit.views.workbench import parse_query

    def reader(*themes: str) -> Reader:
        return Reader.current(Viewer(role="staff", themes=frozenset(themes)))

    hotline = reader("hotline")
    period = hotline.periods("hotline_orders", "month")[0]
    assert gov.grid_events(hotline, hotline.root, "month", period) is None
    assert gov.services(hotline, hotline.root, "month", period) is None
    full = reader("hotline", "grid", "services")
    assert gov.grid_events(full, full.root, "month", period).reported > 0
    assert gov.services(full, full.root, "month", period) is not None
    # the manifests are the Waste-Free Index's: an environment-only viewer gets the page without them
    air = reader("environment")
    assert env.environment_page(air, parse_query({}, env.SPEC)).manifests is None
    both = reader("environment", "waste_free")
    assert env.environment_page(both, parse_query({}, env.SPEC)).manifests is not None
    grid = both.root  # walk down to a grid: below the counties, a link to the region's own manifests
    while both.region(grid)["level"] != "grid":
        grid = str(both.children(grid)["code"].iloc[0])
    assert env.frame(air, parse_query({"region": grid}, env.SPEC)).coverage.records is None
    assert env.frame(both, parse_query({"region": grid}, env.SPEC)).coverage.records.endswith(f"region={grid}")
