"""经济运行: year-to-date figures and their growth, GDP by quarter, the regions below ranked and
mapped, at /economy?region=..&frequency=month|quarter|year&period=..&cmp=yoy|mom|target.

The page is a function of its URL (`cockpit.views.workbench`): every choice and click navigates."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import params, request
from cockpit.ui.economy_view import PAGE_ID, economy_layout
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.workbench import out_of_themes
from cockpit.views.economy import SPEC, economy_page
from cockpit.views.workbench import in_themes, parse_query

dash.register_page(__name__, path=SPEC.path, name="经济运行", order=30, icon="bi-graph-up-arrow",
                   label={"zh": "经济运行", "en": "Economy"}, title="经济运行 · 城市数字驾驶舱", kept=True,
                   themes=SPEC.themes)


def layout(**query):
    lang = current_lang(params.one(query.get("lang")))
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("home.systems.none", lang), color="info", id=PAGE_ID)
    if not in_themes(reader.viewer, SPEC.themes):
        return out_of_themes(t("economy.title", lang), lang, PAGE_ID)
    return economy_layout(economy_page(reader, parse_query(query, SPEC)), lang)
