"""城市治理: the 12345 hotline's handling, assessment rates, hot spots, categories, repeat
complaints and overdue orders, with grid events and one-stop services beside it.

A pure function of its URL (`cockpit.views.workbench`): `/governance?region=330106&period=2026-10
&department=…` draws every panel server-side; filters, drills and cross filters navigate.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import governance_view, params, request
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.workbench import out_of_themes, workbench_page
from cockpit.views import governance as gov
from cockpit.views.workbench import PageSpec, in_themes, parse_query, period_choice, place

# the page is the hotline's; grid events and one-stop services beside it show to those who may see them
SPEC = PageSpec(path="/governance", lead=gov.ORDERS, frequencies=("month", "year"), cross=gov.CROSS,
                themes=("hotline", "grid", "services"))

dash.register_page(__name__, path="/governance", name="城市治理", order=20, icon="bi-telephone-inbound",
                   label={"zh": "城市治理", "en": "City governance"}, title="城市治理 · 城市数字驾驶舱", kept=True,
                   themes=SPEC.themes)


def layout(lang: str | None = None, **query):
    lang = current_lang(params.one(lang))
    q = parse_query(query, SPEC)
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("gov.no_snapshot", lang), color="info", id="gov-page")
    if not in_themes(reader.viewer, SPEC.themes):
        return out_of_themes(t("gov.title", lang), lang, "gov-page")
    where = place(reader, q.region)
    choice = period_choice(reader, SPEC.lead, q.frequency, q.period)
    return workbench_page(SPEC, q, where, choice, lang, title=t("gov.title", lang), lead=t("gov.lead", lang),
                          body=governance_view.page_body(reader, SPEC, q, where, choice, lang), page_id="gov-page",
                          cross_labels=governance_view.cross_labels(lang))
