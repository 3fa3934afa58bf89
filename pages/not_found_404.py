"""The page for an address no page answers: Dash's pages router draws the module named
`not_found_404`, and the server answers such an address with HTTP 404 (`cockpit.web`)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from cockpit.ui.i18n import current_lang, t
from cockpit.ui.params import one

dash.register_page(__name__, path="/404", name="页面不存在", nav=False, title="页面不存在 · 城市数字驾驶舱")


def layout(lang: str | None = None, **_query):
    lang = current_lang(one(lang))
    return dbc.Alert([
        html.H4(t("notfound.title", lang), className="alert-heading"),
        html.P(t("notfound.lead", lang)),
        dcc.Link([html.I(className="bi bi-house me-1"), t("notfound.back", lang)], href="/", className="alert-link"),
    ], color="secondary", className="mt-3", id="notfound-page")
