"""The frame around every PC page: navigation bar, language switch, demo-data notice."""

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
