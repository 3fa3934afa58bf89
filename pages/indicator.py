"""指标详情: one indicator's page at /indicator/<id>?region=..&frequency=..&period=..&cmp=..:
its definition in plain words, formula and lineage, its value and trend at a region, the regions
compared and mapped, and for a composite what it is made of.

Not in the navigation: the other pages link to it (headline names, lineage nodes). The page is a
function of its URL (`cockpit.views.workbench`); an id that is no indicator gets the 404 look.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import indicator_view, params, request
from cockpit.ui.i18n import current_lang, t
from cockpit.views.indicator import UnknownIndicator, indicator_page


def _missing(indicator_id: str | None = None) -> bool:
    """Whether the address names no indicator this viewer may see: the answer is then a 404 (`cockpit.web.harden`)."""
    try:
        request.reader().indicator(params.one(indicator_id) or "")
    except (NoSnapshot, KeyError):
        return True
    return False


dash.register_page(__name__, path_template="/indicator/<indicator_id>", name="指标详情", nav=False,
                   order=90, icon="bi-info-square", label={"zh": "指标详情", "en": "Indicator"},
                   title="指标详情 · 城市数字驾驶舱", missing=_missing, kept=True)


def layout(indicator_id: str | None = None, **query):
    lang = current_lang(params.one(query.get("lang")))
    ident = params.one(indicator_id) or ""
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("home.systems.none", lang), color="info", id=f"{indicator_view.ID}-page")
    try:
        view = indicator_page(reader, ident, query)
    except UnknownIndicator:
        return indicator_view.unknown(ident, lang)
    return indicator_view.page(view, lang)
