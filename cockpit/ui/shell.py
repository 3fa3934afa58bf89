"""The frame around every PC page: navigation bar, language switch, demo-data notice; and the
damaged-snapshot notice that PC pages and the big screen show."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from cockpit.query.lake import demo_info
from cockpit.ui.i18n import COOKIE, current_lang, t


def nav_links(lang: str) -> list:
    """One link a registered page, in registry order; pages opt out with `nav=False`."""
    links = []
    for page in dash.page_registry.values():
        if page.get("nav", True) is False:
            continue
        label = page.get("label", {}).get(lang) or page["name"]
        links.append(dbc.NavItem(dbc.NavLink(
            [html.I(className=f"bi {page.get('icon', 'bi-circle')} me-1"), label],
            href=page["relative_path"], active="exact")))
    return links


def demo_badge(lang: str):
    info = demo_info()
    if info is None:
        return None
    return dbc.Badge(t("demo.badge", lang), color="warning", text_color="dark", className="ms-2 demo-badge",
                     id="shell-demo-badge")


def demo_banner(lang: str):
    info = demo_info()
    if info is None:
        return None
    return dbc.Alert(
        [html.I(className="bi bi-info-circle me-2"),
         t("demo.banner", lang, seed=info.seed, scale=info.scale, end=info.end)],
        color="warning", className="py-2 small mb-3", id="shell-demo-banner")


# On the big screen's 1920×1080 canvas, under the data time at the right of the title bar: it
# covers no panel, and scales with the canvas.
_SCREEN_NOTICE_STYLE = {"position": "absolute", "top": "56px", "right": "28px", "zIndex": 20, "fontSize": "15px",
                        "boxShadow": "0 0 14px rgba(220, 53, 69, .6)"}


def snapshot_notice(snap, lang: str, screen: bool = False):
    """Said on every page drawn from a stand-in snapshot: the one CURRENT names is damaged, so an
    older whole one is shown (`cockpit.indicators.snapshot.resolve_current`); None otherwise."""
    if snap.damage is None:
        return None
    made = snap.meta().get("created_at") or snap.id
    return dbc.Alert([html.I(className="bi bi-exclamation-triangle-fill me-2"),
                      t("snapshot.fallback", lang, time=made.replace("T", " ")[:16])],
                     color="danger", className="py-1 px-3 mb-0" if screen else "py-2 mb-3 small", id="snapshot-fallback",
                     style=_SCREEN_NOTICE_STYLE if screen else None)


def layout():
    """The app layout, built per request so the language and demo state are current."""
    lang = current_lang()
    navbar = dbc.Navbar(
        dbc.Container([
            html.A([html.I(className="bi bi-grid-1x2-fill me-2"), t("app.title", lang)],
                   href="/", className="navbar-brand fw-bold"),
            demo_badge(lang),
            dbc.Nav(nav_links(lang), className="me-auto ms-4", navbar=True),
            dbc.Button(t("lang.switch", lang), id="shell-lang-switch", color="light", outline=True, size="sm",
                       title=t("lang.switch.title", lang)),
            dcc.Store(id="shell-next-lang", data="en" if lang == "zh" else "zh"),
        ], fluid=True),
        color="primary", dark=True, className="shell-navbar mb-3",
    )
    return html.Div([
        dcc.Location(id="shell-url"),
        navbar,
        dbc.Container([demo_banner(lang), dash.page_container], fluid=True, className="shell-content"),
    ], lang="zh-CN" if lang == "zh" else "en")


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


def register_callbacks(app: dash.Dash) -> None:
    app.clientside_callback(
        LANG_SWITCH_JS,
        dash.Output("shell-lang-switch", "n_clicks"),
        dash.Input("shell-lang-switch", "n_clicks"),
        dash.State("shell-next-lang", "data"),
        prevent_initial_call=True,
    )
