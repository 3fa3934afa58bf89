"""The administrators' audit page: `/admin/audit` (the trail, newest first, filtered by actor,
action and date, with the chain's verdict) and `/admin/audit/export` (the same filter as CSV).

Plain server-rendered HTML like the sign-in page: it needs no callbacks, and the gate lets only
`admin` accounts reach `admin/` (`cockpit.ui.access.ROLE_PATHS`). Looking at the trail and taking
it away are themselves audited.
"""

from __future__ import annotations

import html
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from flask import Response, request, send_file

from cockpit.ui.i18n import current_lang, t

PAGE_LIMIT = 500  # newest entries shown; the export holds every entry the filter matches


def _filters() -> tuple[dict[str, str], datetime | None, str | None]:
    """The page's filters as given (for the form and the links), the date parsed, and a problem."""
    asked = {k: (request.args.get(k) or "").strip()[:64] for k in ("actor", "action", "since")}
    since, problem = None, None
    if asked["since"]:
        try:
            since = datetime.fromisoformat(asked["since"])
        except ValueError:
            problem = f"since: {asked['since']!r} is not a date (YYYY-MM-DD)"
    return asked, since, problem


def register(app) -> None:
    from cockpit.state import audit
    from cockpit.ui.access import audit_access

    server = app.server
    prefix = app.config.routes_pathname_prefix

    @server.route(prefix + "admin/audit", methods=["GET"], endpoint="cockpit_admin_audit")
    def _audit_page():
        lang = current_lang()
        asked, since, problem = _filters()
        rows = [] if problem else list(audit.entries(since, asked["actor"] or None, asked["action"] or None,
                                                     limit=PAGE_LIMIT))
        verdict = audit.verify()
        audit_access("audit_view", None, {k: v for k, v in asked.items() if v})
        return Response(_page(lang, prefix, asked, list(reversed(rows)), verdict, problem), mimetype="text/html")

    @server.route(prefix + "admin/audit/export", methods=["GET"], endpoint="cockpit_admin_audit_export")
    def _audit_export():
        asked, since, problem = _filters()
        if problem:
            return Response(problem + "\n", status=400, mimetype="text/plain")
        with tempfile.TemporaryDirectory(prefix="cockpit-audit-") as scratch:
            path = Path(scratch) / "audit.csv"
            count = audit.export_csv(path, since, asked["actor"] or None, asked["action"] or None)
            body = path.read_bytes()  # a trail of a year is a few tens of MB at most
        audit_access("audit_export", None, {**{k: v for k, v in asked.items() if v}, "rows": count})
        response = send_file(__import__("io").BytesIO(body), mimetype="text/csv", as_attachment=True,
                             download_name=f"audit-{datetime.now():%Y%m%d-%H%M}.csv")
        return response


def _page(lang: str, prefix: str, asked: dict, rows: list[dict], verdict, problem: str | None) -> str:
    e = html.escape
    other = "en" if lang == "zh" else "zh"
    query = {k: v for k, v in asked.items() if v}
    chain = (f"<div class='alert alert-success py-2' id='audit-chain'>{e(t('admin.audit.chain_ok', lang, n=verdict.entries))}</div>"
             if verdict.ok else
             f"<div class='alert alert-danger py-2' id='audit-chain'>{e(t('admin.audit.chain_broken', lang))} {e(verdict.problem)}</div>")
    warn = f"<div class='alert alert-warning py-2'>{e(problem)}</div>" if problem else ""
    body_rows = "".join(
        "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in (
            row["seq"], row["at"].isoformat(timespec="seconds") + "Z", row["actor"], row["action"], row["target"] or "",
            row["address"] or "", _details(row["details"]))) + "</tr>"
        for row in rows)
    empty = f"<p class='text-muted' id='audit-empty'>{e(t('admin.audit.empty', lang))}</p>" if not rows else ""
    heads = "".join(f"<th>{e(t('admin.audit.col.' + c, lang))}</th>"
                    for c in ("seq", "at", "actor", "action", "target", "address", "details"))
    field = "".join(
        f"<div class='col-auto'><label class='form-label small mb-0' for='{name}'>{e(t('admin.audit.' + name, lang))}</label>"
        f"<input class='form-control form-control-sm' id='{name}' name='{name}' value='{e(asked[name])}'"
        f"{' placeholder=YYYY-MM-DD' if name == 'since' else ''}></div>"
        for name in ("actor", "action", "since"))
    from cockpit.ui.access import plain_page_head

    return f"""{plain_page_head(lang, t('admin.audit.title', lang), prefix)}
<body>
<nav class="navbar navbar-dark bg-primary shell-navbar mb-3"><div class="container-fluid">
  <span class="navbar-brand fw-bold">{e(t('app.title', lang))} · {e(t('admin.audit.title', lang))}</span>
  <div class="d-flex gap-2">
    <a class="btn btn-sm btn-outline-light" href="{prefix}admin/audit?{e(urlencode({**query, 'lang': other}))}">{e(t('lang.switch', lang))}</a>
    <a class="btn btn-sm btn-outline-light" id="admin-sign-out" href="{prefix}logout">{e(t('access.sign_out', lang))}</a>
  </div>
</div></nav>
<main class="container-fluid" id="admin-audit-page">
  <p class="text-muted">{e(t('admin.audit.lead', lang, limit=PAGE_LIMIT))}</p>
  {chain}{warn}
  <form class="row g-2 align-items-end mb-3" method="get" action="{prefix}admin/audit">
    {field}
    <div class="col-auto"><button class="btn btn-sm btn-primary" type="submit">{e(t('admin.audit.filter', lang))}</button></div>
    <div class="col-auto"><a class="btn btn-sm btn-outline-secondary" id="audit-export"
       href="{prefix}admin/audit/export?{e(urlencode(query))}">{e(t('admin.audit.export', lang))}</a></div>
  </form>
  {empty}
  <div class="table-responsive"><table class="table table-sm table-striped wb-table" id="audit-table">
    <thead><tr>{heads}</tr></thead><tbody>{body_rows}</tbody></table></div>
</main>
</body></html>"""


def _details(details: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(details.items()))[:300]
