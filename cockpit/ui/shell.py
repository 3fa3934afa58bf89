"""The frame around every PC page: navigation bar, language switch, demo-data notice, and the one
store of what the user has chosen; and the damaged-snapshot notice that PC pages and the big
screen show. Where the numbers come from (demo or not, which snapshot) is the snapshot's own
provenance, read through the request's reader."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from cockpit.query.reader import Provenance
from cockpit.query.snapshot import NoSnapshot
from cockpit.query.viewer import Viewer
from cockpit.ui import params, request, theme
from cockpit.ui.i18n import COOKIE, current_lang, t
from cockpit.views.workbench import in_themes

# -- the shared state ------------------------------------------------------------------------------
#
# One dcc.Store in the shell holds what the user has chosen, so pages share it and a link carries
# it: {"region": a region code or null, "period": a period or null, "filters": {name: value}}.
# It is filled from the URL's query whenever the address changes (a pasted link, the navigation),
# and every change a page writes to it goes back into the query in place (history.replaceState:
# no reload, no new history entry). Only the keys below are the state's: `?lang=`, a screen's
# `?carousel=` and the rest of the query are left alone. Pages read it with `read_state` (which
# takes it as a hostile client may send it) and write it with `with_state`.
STATE = "cockpit-state"
STATE_FILTERS = ("frequency",)  # the filters a page may keep in the state (and in the URL), by name


@dataclass(frozen=True)
class ChosenState:
    region: str | None = None
    period: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)


def read_state(data: Any) -> ChosenState:
    """The state as pages may trust it: a region code or None, a short period text or None, and
    only the declared filters, each a short text; anything else in the store is ignored."""
    if not isinstance(data, dict):
        return ChosenState()
    raw = data.get("filters")
    filters = {k: v for k in STATE_FILTERS if isinstance(raw, dict) and (v := params.one(raw.get(k))) is not None}
    return ChosenState(region=params.region_code(data.get("region")), period=params.one(data.get("period")),
                       filters=filters)


def with_state(data: Any, **changes: str | None) -> dict:
    """The store's next value: `data` (read as `read_state` does) with `region`, `period` or a
    declared filter set (None removes it)."""
    unknown = set(changes) - {"region", "period", *STATE_FILTERS}
    if unknown:
        raise ValueError(f"not part of the shared state: {', '.join(sorted(unknown))}")
    current = read_state(data)
    filters = {**current.filters, **{k: v for k, v in changes.items() if k in STATE_FILTERS}}
    return {"region": changes.get("region", current.region), "period": changes.get("period", current.period),
            "filters": {k: v for k, v in filters.items() if v is not None}}


def nav_links(lang: str, viewer: Viewer | None = None) -> list:
    """One link a registered page, in registry order; pages opt out with `nav=False`. For a viewer,
    the pages they may open: neither one whose own theme they may not see (the `themes` a page
    registers, its `PageSpec.themes`) nor one their role may not open (a staff member's big screen)."""
    from cockpit.ui.access import role_may_open

    links = []
    for page in dash.page_registry.values():
        if page.get("nav", True) is False:
            continue
        if viewer is not None and not (in_themes(viewer, page.get("themes", ()))
                                       and role_may_open(viewer.role, page["path"].lstrip("/"))):
            continue
        label = page.get("label", {}).get(lang) or page["name"]
        links.append(dbc.NavItem(dbc.NavLink(
            [html.I(className=f"bi {page.get('icon', 'bi-circle')} me-1"), label],
            href=page["relative_path"], active="exact")))
    return links


def _viewer(lang: str) -> Viewer | None:
    """Who the frame is drawn for; None for no one (see `_provenance`)."""
    from cockpit.ui.access import NotSignedIn

    try:
        return request.viewer(lang)
    except NotSignedIn:
        return None


def _provenance(lang: str) -> Provenance | None:
    """Where the shown numbers come from; None before any snapshot is published (nothing is shown),
    and for a frame drawn for no one (Dash draws the layout once to check it, on the first request of
    a worker, which may be an anonymous one for the sign-in page)."""
    from cockpit.ui.access import NotSignedIn

    try:
        return request.reader(lang).provenance()
    except (NoSnapshot, NotSignedIn):
        return None


def demo_badge(provenance: Provenance | None, lang: str):
    if provenance is None or provenance.demo is None:
        return None
    return dbc.Badge(t("demo.badge", lang), color="warning", text_color="dark", className="ms-2 demo-badge",
                     id="shell-demo-badge")


def demo_banner(provenance: Provenance | None, lang: str):
    if provenance is None or provenance.demo is None:
        return None
    demo = provenance.demo
    return dbc.Alert(
        [html.I(className="bi bi-info-circle me-2"),
         t("demo.banner", lang, seed=demo.seed, scale=demo.scale, end=demo.end)],
        color="warning", className="py-2 small mb-3", id="shell-demo-banner")


# On the big screen's 1920×1080 canvas, under the data time at the right of the title bar: it
# covers no panel, and scales with the canvas.
_SCREEN_NOTICE_STYLE = {"position": "absolute", "top": "56px", "right": "28px", "zIndex": 20, "fontSize": "15px",
                        "boxShadow": f"0 0 14px {theme.rgba('danger', 0.6)}"}


def snapshot_notice(provenance: Provenance, lang: str, screen: bool = False):
    """Said on every page drawn from a stand-in snapshot: the one CURRENT names is damaged, so an
    older whole one is shown (`cockpit.indicators.snapshot.resolve_current`); None otherwise."""
    if provenance.damage is None:
        return None
    made = provenance.created_at.strftime("%Y-%m-%d %H:%M") if provenance.created_at is not None \
        else provenance.snapshot_id
    return dbc.Alert([html.I(className="bi bi-exclamation-triangle-fill me-2"),
                      t("snapshot.fallback", lang, time=made)],
                     color="danger", className="py-1 px-3 mb-0" if screen else "py-2 mb-3 small", id="snapshot-fallback",
                     style=_SCREEN_NOTICE_STYLE if screen else None)


def layout():
    """The app layout, built per request so the language and demo state are current."""
    lang = current_lang()
    provenance = _provenance(lang)
    navbar = dbc.Navbar(
        dbc.Container([
            html.A([html.I(className="bi bi-grid-1x2-fill me-2"), t("app.title", lang)],
                   href="/", className="navbar-brand fw-bold"),
            demo_badge(provenance, lang),
            dbc.Nav(nav_links(lang, _viewer(lang)), className="me-auto ms-4", navbar=True),
            *signed_in_as(lang),
            dbc.Button(t("lang.switch", lang), id="shell-lang-switch", color="light", outline=True, size="sm",
                       title=t("lang.switch.title", lang)),
            dcc.Store(id="shell-next-lang", data="en" if lang == "zh" else "zh"),
        ], fluid=True),
        color="primary", dark=True, className="shell-navbar mb-3",
    )
    return html.Div([
        dcc.Location(id="shell-url", refresh="callback-nav"),
        dcc.Store(id=STATE, storage_type="memory"),
        navbar,
        dbc.Container([demo_banner(provenance, lang), dash.page_container], fluid=True, className="shell-content"),
    ], lang="zh-CN" if lang == "zh" else "en")


def signed_in_as(lang: str) -> list:
    """Who is signed in, and the way out."""
    from cockpit.ui.access import current_user

    user = current_user()
    if user is None:
        return []
    role = t(f"access.role.{user.role}", lang)
    # compact, so the navigation keeps one line at 1366 px in English: the name, the role on hover
    return [html.Span([html.I(className="bi bi-person-circle me-1"), html.Span(user.name, className="shell-user-name")],
                      id="shell-user",
                      title=t("access.signed_in_as", lang, name=user.name, role=role), className="shell-user me-2"),
            html.A(html.I(className="bi bi-box-arrow-right"), href="/logout", id="shell-sign-out",
                   title=t("access.sign_out", lang), **{"aria-label": t("access.sign_out", lang)},
                   className="btn btn-sm btn-outline-light me-2")]


# The switch stores the choice in a cookie and reloads, so every page (and the server-side layout
# functions that read the cookie) speak the new language without each page wiring a callback.
LANG_SWITCH_JS = """
function(n, nextLang) {
    if (!n) { return window.dash_clientside.no_update; }
    document.cookie = 'COOKIE_NAME=' + nextLang + '; path=/; max-age=31536000; SameSite=Lax';
    const url = new URL(window.location.href);
    url.searchParams.delete('lang');
    window.location.replace(url.toString());
    return window.dash_clientside.no_update;
}
""".replace("COOKIE_NAME", COOKIE)


# The address into the state: the query read from the window itself, since a state written back
# with replaceState is not seen by dcc.Location (so its `search` may be older than the address).
URL_TO_STATE_JS = """
function(_pathname, _search) {
    const query = new URLSearchParams(window.location.search);
    const filters = {};
    for (const name of FILTERS) {
        if (query.get(name)) { filters[name] = query.get(name); }
    }
    return {region: query.get('region') || null, period: query.get('period') || null, filters: filters};
}
""".replace("FILTERS", json.dumps(STATE_FILTERS))

# The state back into the address, in place: no reload and no history entry (the pages router,
# which listens to dcc.Location, does not redraw the page).
STATE_TO_URL_JS = """
function(state) {
    if (!state) { return; }
    const url = new URL(window.location.href);
    const wanted = Object.assign({}, state.filters || {}, {region: state.region, period: state.period});
    for (const name of ['region', 'period'].concat(FILTERS)) {
        const value = wanted[name];
        if (value === null || value === undefined || value === '') { url.searchParams.delete(name); }
        else { url.searchParams.set(name, value); }
    }
    if (url.href !== window.location.href) { window.history.replaceState(window.history.state, '', url.href); }
}
""".replace("FILTERS", json.dumps(STATE_FILTERS))


def register_callbacks(app: dash.Dash) -> None:
    app.clientside_callback(URL_TO_STATE_JS, dash.Output(STATE, "data"),
                            dash.Input("shell-url", "pathname"), dash.Input("shell-url", "search"))
    app.clientside_callback(STATE_TO_URL_JS, dash.Input(STATE, "data"), prevent_initial_call=True)
    app.clientside_callback(
        LANG_SWITCH_JS,
        dash.Output("shell-lang-switch", "n_clicks"),
        dash.Input("shell-lang-switch", "n_clicks"),
        dash.State("shell-next-lang", "data"),
        prevent_initial_call=True,
    )
