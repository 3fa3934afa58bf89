"""House rules for pages: they read through the reader, own the ids they listen to, and their
callbacks work when called as a browser would call them, here in-process without a browser."""

from __future__ import annotations

import ast
import json
import sys

import dash
import pytest

from cockpit.config import REPO_ROOT
from cockpit.ui.format import format_value
from cockpit.ui.shell import STATE, read_state, with_state

# -- (a) no page, renderer or view model opens a snapshot or the lake --------------------------------
#
# Only cockpit/query/ opens snapshots, the lake, DuckDB and the region files; everything drawn
# reads through `cockpit.ui.request.reader()`. A module: every name it offers is off limits; a
# set: only those names (`NoSnapshot` is an exception pages catch, not a way in).
FORBIDDEN: dict[str, frozenset[str] | None] = {
    "cockpit.query.snapshot": frozenset({"current_snapshot", "Snapshot"}),
    "cockpit.indicators.snapshot": None,
    "cockpit.feeds.lake": None,
    "cockpit.query.lake": None,
    "cockpit.regions": None,
    "duckdb": None,
}
CHECKED = ("pages", "cockpit/ui", "cockpit/views")

# Imports allowed to break the rule, as (file, module), each with why: none since the big screen
# moved to the reader (#11). The test fails on an entry that is no longer needed.
ALLOWED_FOR_NOW: set[tuple[str, str]] = set()


def _banned(module: str, name: str | None = None) -> str | None:
    """The FORBIDDEN entry that `module` (or `name` taken from it) falls under, else None."""
    for banned, names in FORBIDDEN.items():
        if module == banned:
            if names is None or name is None or name in names:
                return banned
        elif module.startswith(banned + "."):
            return banned
    return None


def _forbidden_imports(path) -> list[tuple[int, str]]:
    """(line, what) for each import in `path` of something FORBIDDEN, at any depth in the module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _banned(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # from a banned module, a name; from its parent (`from cockpit.query import lake`), the module
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names
                      if (_banned(node.module, a.name) if _banned(node.module)
                          else _banned(f"{node.module}.{a.name}"))]
    return found


def _checked_files():
    for folder in CHECKED:
        yield from sorted((REPO_ROOT / folder).rglob("*.py"))


def test_no_page_renderer_or_view_opens_a_snapshot_or_the_lake():
    broken, used = [], set()
    for path in _checked_files():
        relative = path.relative_to(REPO_ROOT).as_posix()
        for line, what in _forbidden_imports(path):
            banned = _banned(what) or _banned(*what.rsplit(".", 1))
            if (relative, banned) in ALLOWED_FOR_NOW:
                used.add((relative, banned))
            else:
                broken.append(f"{relative}:{line} imports {what}: read through cockpit.ui.request.reader()")
    assert broken == [], "\n".join(broken)
    assert used == ALLOWED_FOR_NOW, f"no longer needed, remove from ALLOWED_FOR_NOW: {sorted(ALLOWED_FOR_NOW - used)}"


@pytest.mark.parametrize(("source", "expected"), [
    ("from cockpit.query.snapshot import NoSnapshot", []),
    ("from cockpit.query.snapshot import NoSnapshot, current_snapshot", ["cockpit.query.snapshot.current_snapshot"]),
    ("import cockpit.query.snapshot", ["cockpit.query.snapshot"]),
    ("from cockpit.query import snapshot", ["cockpit.query.snapshot"]),
    ("from cockpit.query import lake", ["cockpit.query.lake"]),
    ("from cockpit import regions", ["cockpit.regions"]),
    ("from cockpit.regions.geometry import geometry_notice", ["cockpit.regions.geometry.geometry_notice"]),
    ("def f():\n    import duckdb", ["duckdb"]),
    ("from cockpit.query.reader import Reader", []),
    ("from cockpit.ui import request", []),
])
def test_the_import_rule_sees_every_way_in(tmp_path, source, expected):
    path = tmp_path / "page.py"
    path.write_text(source, encoding="utf-8")
    assert [what for _, what in _forbidden_imports(path)] == expected


# -- ids: each page creates the ids its callbacks listen to --------------------------------------------

# Listened-to ids still created outside their page while the big screen moves (issue #11):
# (page module's file, id); the list can only shrink, as above.
IDS_CREATED_ELSEWHERE_FOR_NOW: set[tuple[str, str]] = {
    # named by the page (bigscreen.CanvasIds) but built inside cockpit/ui/bigscreen.py
    ("pages/screen.py", "screen-snapshot"),
    ("pages/screen.py", '{"panel":["ALL"],"type":"screen-ranking"}'),
    ("pages/screen.py", "screen-map-click"),
}


@pytest.fixture()
def app(use_demo_lake, sign_in):
    from cockpit.web import create_app

    app = create_app()
    sign_in(app).get("/")  # the first request registers the pages router
    return app


def _page(path: str):
    return sys.modules[next(p["module"] for p in dash.page_registry.values() if p["path"] == path)]


ANY = object()  # a part of a pattern-matching id that is not a constant (the panel a component is for)


def _constant(node: ast.expr, module) -> object:
    try:
        return eval(compile(ast.Expression(node), module.__file__, "eval"), vars(module))
    except Exception:  # built from a callback's argument or a loop variable
        return ANY


def _ids_created_in(module) -> list[object]:
    """The ids of the components the module's own code builds (`id=` of any call), evaluated with
    the module's constants; a pattern-matching id as a dict whose non-constant parts are ANY."""
    ids = []
    for node in ast.walk(ast.parse(open(module.__file__, encoding="utf-8").read())):
        for kw in node.keywords if isinstance(node, ast.Call) else ():
            if kw.arg != "id":
                continue
            if isinstance(kw.value, ast.Dict) and all(isinstance(k, ast.Constant) for k in kw.value.keys):
                ids.append({k.value: _constant(v, module) for k, v in zip(kw.value.keys, kw.value.values, strict=True)})
            else:
                ids.append(_constant(kw.value, module))
    return [i for i in ids if i is not ANY]


def _created(listened: str, created: list[object]) -> bool:
    """Whether a callback's dependency id (a pattern-matching one arrives as JSON) is among `created`."""
    if not listened.startswith("{"):
        return listened in created
    pattern = json.loads(listened)
    wildcard = [["ALL"], ["MATCH"], ["ALLSMALLER"]]
    return any(isinstance(c, dict) and c.keys() == pattern.keys()
               and all(v in wildcard or c[k] is ANY or c[k] == v for k, v in pattern.items()) for c in created)


def test_pages_create_the_ids_they_listen_to(app):
    """A page's callbacks listen to components the page builds (and to the shell's shared state),
    never to one a cockpit/ui function builds: moving a renderer cannot silently unhook a page."""
    pages = {sys.modules[p["module"]] for p in dash.page_registry.values()}
    missing, used = [], set()
    for cb in app.callback_map.values():
        func = getattr(cb.get("callback"), "__wrapped__", None)
        module = next((m for m in pages if func is not None and func.__globals__ is vars(m)), None)
        if module is None:
            continue
        created = [*_ids_created_in(module), STATE]
        relative = REPO_ROOT.joinpath(module.__file__).relative_to(REPO_ROOT).as_posix()
        for dep in [*cb["inputs"], *cb["state"]]:
            if _created(dep["id"], created):
                continue
            if (relative, dep["id"]) in IDS_CREATED_ELSEWHERE_FOR_NOW:
                used.add((relative, dep["id"]))
            else:
                missing.append(f"{relative} listens to {dep['id']!r}, which it does not create")
    assert missing == [], "\n".join(missing)
    assert used == IDS_CREATED_ELSEWHERE_FOR_NOW, sorted(IDS_CREATED_ELSEWHERE_FOR_NOW - used)


# -- (b) the callbacks, called as a browser calls them ------------------------------------------------

def _text(component) -> str:
    """What a component shows, as the browser would put it in innerText (roughly)."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


@pytest.fixture()
def waste_free(app):
    return _page("/waste-free")


@pytest.fixture()
def snap(use_demo_lake):
    from cockpit.query.snapshot import current_snapshot

    return current_snapshot()


def test_the_index_page_draws_the_leader_without_a_choice(waste_free, snap):
    """No region in the address: the 11 cities ranked, the leader taken apart (the page is a pure
    function of its URL: `layout` draws every panel)."""
    period = snap.periods("waste_free_index", "month")[0]
    ranking = snap.ranking("waste_free_index", "330000", "month", period)
    meta = snap.indicator("waste_free_index")
    page = waste_free.layout()
    assert _text(page["wfi-score"]) == format_value(ranking["value"].iloc[0], meta["unit"], meta["decimals"], "zh")
    assert _text(page["wfi-rank"]) == "1 / 11"
    assert ranking["name"].iloc[0] in _text(page["wfi-detail"])
    assert len(page["wfi-heatmap"].children[1].children) == 11


def test_the_index_page_layout_follows_its_address(waste_free, snap):
    year = snap.periods("waste_free_index", "year")[0]
    rank = snap.ranking("waste_free_index", "330000", "year", year).set_index("region").loc["330600", "rank"]
    page = waste_free.layout(frequency="year", period=year, region="330600")
    assert _text(page["wfi-rank"]) == f"{int(rank)} / 11"
    assert "绍兴市" in _text(page["wfi-detail"])
    assert "wb-period-missing" in str(waste_free.layout(period="1999-01"))  # said, and the latest shown


GARBAGE = [None, 0, "", "x", [], {}, ["year", "month"], {"points": []}, "9" * 300, "<script>", "330000; DROP",
           "../../etc", "2026-99", 1.5, True]


@pytest.mark.parametrize("value", GARBAGE)
def test_the_index_page_takes_garbage_without_harm(waste_free, snap, value):
    leader = snap.ranking("waste_free_index", "330000", "month")["name"].iloc[0]
    page = waste_free.layout(region=value, frequency=value, period=value, dimension=value, lang=value)
    assert leader in _text(page["wfi-detail"])  # what is not a choice is no choice: the default view


def test_home_draws_each_headline_from_the_snapshot(app, snap):
    from cockpit.ui.format import format_value

    home = _page("/")
    page = home.layout()
    for indicator, row in snap.headlines("330000").set_index("indicator").iterrows():
        assert format_value(row["value"], row["unit"], row["decimals"], "zh") in _text(page[f"home-value-{indicator}"])
    for system in snap.systems()["system"]:
        assert page[f"home-system-{system}"] is not None
    assert "Data overview" in _text(home.layout(lang="en"))
    assert "区划层级：省 1 · 市 11 · 区县" in _text(page)


def test_home_without_a_lake_still_says_demo_and_shows_the_systems(app, monkeypatch, tmp_path):
    """Snapshots and no lake: the badge comes from the snapshot's own provenance."""
    from cockpit.ui import shell

    monkeypatch.setenv("COCKPIT_LAKE_DIR", str(tmp_path / "no-lake"))
    frame = shell.layout()
    assert frame["shell-demo-badge"] is not None and "演示数据" in _text(frame["shell-demo-badge"])
    assert "种子 7" in _text(frame["shell-demo-banner"])
    page = _page("/").layout()
    assert page["home-system-hotline"] is not None and page["home-empty"] is not None


def test_home_without_a_snapshot_says_how_to_make_one(app, monkeypatch, tmp_path):
    from cockpit.ui import shell

    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(tmp_path / "none"))
    assert "cockpit refresh" in _text(_page("/").layout()["home-no-snapshot"])
    frame = shell.layout()
    with pytest.raises(KeyError):
        frame["shell-demo-badge"]  # nothing shown, nothing to call demo


# -- the shared state --------------------------------------------------------------------------------

def test_the_shared_state_is_read_as_a_hostile_client_may_send_it():
    assert read_state(None) == read_state([]) == read_state("330100") == read_state({})
    chosen = read_state({"region": "330100", "period": "2026-10", "filters": {"frequency": "year", "theme": "x"}})
    assert (chosen.region, chosen.period, dict(chosen.filters)) == ("330100", "2026-10", {"frequency": "year"})
    odd = read_state({"region": "../1", "period": ["2026-10"], "filters": {"frequency": 3}})
    assert (odd.region, odd.period, dict(odd.filters)) == (None, None, {})


def test_the_shared_state_changes_only_what_is_asked():
    state = with_state({"region": "330100", "period": "2026-10", "filters": {"frequency": "month"}}, period="2026-09")
    assert state == {"region": "330100", "period": "2026-09", "filters": {"frequency": "month"}}
    assert with_state(state, frequency=None)["filters"] == {}
    with pytest.raises(ValueError, match="not part of the shared state"):
        with_state(state, theme="x")
