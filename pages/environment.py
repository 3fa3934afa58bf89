"""生态环境: air quality by region and station, river sections by grade, both against their
targets, and the waste on transfer manifests, at
/environment?region=..&frequency=month|year&period=..&cmp=yoy|mom|target.

The page is a function of its URL (`cockpit.views.workbench`): every choice and click navigates."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc

from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import params, request
from cockpit.ui.environment_view import PAGE_ID, environment_layout
from cockpit.ui.i18n import current_lang, t
from cockpit.ui.workbench import out_of_themes
from cockpit.views.environment import SPEC, environment_page
from cockpit.views.workbench import in_themes, parse_query

dash.register_page(__name__, path=SPEC.path, name="生态环境", order=40, icon="bi-tree",
                   label={"zh": "生态环境", "en": "Environment"}, title="生态环境 · 城市数字驾驶舱", kept=True,
                   themes=SPEC.themes)


def layout(**query):
    lang = current_lang(params.one(query.get("lang")))
    try:
        reader = request.reader(lang)
    except NoSnapshot:
        return dbc.Alert(t("home.systems.none", lang), color="info", id=PAGE_ID)
    if not in_themes(reader.viewer, SPEC.themes):
        return out_of_themes(t("environment.title", lang), lang, PAGE_ID)
    return environment_layout(environment_page(reader, parse_query(query, SPEC)), lang)
