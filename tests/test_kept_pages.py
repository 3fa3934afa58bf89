"""Department pages are drawn once per snapshot, viewer and address (`cockpit.ui.kept_pages`),
and a viewer is never handed a page drawn for another."""

from __future__ import annotations

import dash

from cockpit.query.snapshot import current_snapshot
from cockpit.state.accounts import User
from cockpit.ui import access
from cockpit.ui.kept_pages import kept_layout
from cockpit.web import create_app


def _user(region: str, role: str = "leader", department: str | None = None) -> User:
    return User(id=1, name="x", role=role, region=region, department=department, personal_data=False, disabled=False)


def test_a_page_is_drawn_once_per_snapshot_viewer_address_and_minute(use_demo_lake, state_store, monkeypatch):
    app = create_app()
    page = next(p for p in dash.page_registry.values() if p["path"] == "/governance")
    drawn = []
    own = page["layout"].__wrapped__  # the page's own layout, which the kept one calls on a miss
    monkeypatch.setitem(page, "layout", kept_layout(page["module"], lambda **q: drawn.append(q) or own(**q)))
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-20T22:00")
    province = current_snapshot().roots()[0]

    def view(user: User, **query):
        with app.server.test_request_context("/governance"):
            access.act_as(user)
            return page["layout"](**query)

    first = view(_user(province), region="330600")
    assert view(_user(province), region="330600") is first and len(drawn) == 1  # the same address again
    assert view(_user(province), region="330602") is not first and len(drawn) == 2  # another address
    view(_user(province), region="330600", lang="en")
    view(_user("330600"), region="330600")  # a city's leader: a viewer of another scope
    view(_user(province, role="staff", department="越城区综合行政执法局"), region="330600")
    assert len(drawn) == 5
    monkeypatch.setenv("COCKPIT_NOW", "2026-11-20T22:01")
    view(_user(province), region="330600")
    assert len(drawn) == 6  # the next minute: drawn again (what is overdue moves with the clock)


def test_the_pages_that_opt_in_are_kept_and_the_others_are_not():
    create_app()
    kept = {p.get("path_template") or p["path"] for p in dash.page_registry.values() if getattr(p["layout"], "kept", False)}
    assert kept == {"/", "/economy", "/governance", "/environment", "/infrastructure", "/waste-free",
                    "/indicator/<indicator_id>"}
