"""The Dash application: one factory, used by `python app.py`, `cockpit serve` and the tests.

The server holds what a client may ask to a few limits (`harden`): bodies over `MAX_BODY_BYTES`
are refused with 413 before they are read, a callback request that is not what Dash's renderer
sends gets a short 400 instead of reaching Dash (where it raised, and answered 500), a
component-suite file that does not exist is a 404, and an address no page answers is a 404 that
still draws the app's own not-found page. Error pages carry no traceback or path.

`/records/export` (`register_exports`) streams the rows a records page shows as xlsx or csv.
"""

from __future__ import annotations

import dash
from dash.exceptions import DependencyException
from flask import Response, request

from cockpit.config import REPO_ROOT
from cockpit.ui import access, admin, shell, workbench
from cockpit.ui.deckmap import ASSETS_IGNORE, register_deck_assets
from cockpit.ui.i18n import install_lang_override, t
from cockpit.ui.kept_pages import keep_layouts
from cockpit.views.screens import load_screens

# The pages router's inputs, which Dash itself reads before any page's code: it raised on a path
# or query that is not text, and on a path outside the app's prefix.
ROUTER_PATH, ROUTER_QUERY = ("_pages_location", "pathname"), ("_pages_location", "search")

# A callback post is a few kilobytes (the biggest, a page's router call, carries its URL); a
# megabyte leaves room and keeps a client from making a worker hold 100 MB.
MAX_BODY_BYTES = 1024 * 1024


def create_app() -> dash.Dash:
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(REPO_ROOT / "pages"),
        assets_folder=str(REPO_ROOT / "assets"),
        # deck.gl's bundle is served by register_deck_assets, and loaded only where a map is shown
        assets_ignore=ASSETS_IGNORE,
        # Everything is served by the app itself: intranets have no internet.
        serve_locally=True,
        external_stylesheets=[],
        external_scripts=[],
        title=t("app.title"),
        update_title=None,
        suppress_callback_exceptions=True,
    )
    load_screens()  # a wrong data/screens.yaml stops the start with every problem and its line
    app.layout = shell.layout
    keep_layouts(dash.page_registry)  # the department pages drawn once per snapshot, viewer and address
    shell.register_callbacks(app)
    workbench.register_callbacks(app)  # the department pages' one navigation callback
    install_lang_override(app.server)
    behind_proxy(app.server)
    access.install(app)  # before every other hook: an anonymous request meets the gate first
    register_probes(app)
    admin.register(app)  # /admin/audit
    register_deck_assets(app.server)  # deck.gl for the maps (assets/_vendor/deckgl/)
    register_exports(app)
    harden(app)
    # Dash completes its set-up (registers the callbacks, the pages router's among them) on the
    # app's first request, and marks it done before it is: a worker's first requests arriving
    # together (a worker replaced under load) found callbacks missing and answered 400. Make that
    # first request here, before `cockpit serve` forks its workers.
    app.server.test_client().get(app.config.routes_pathname_prefix + "healthz")
    return app


def behind_proxy(server) -> None:
    """Behind the intranet's nginx (COCKPIT_BEHIND_PROXY=1), take the client's address, scheme and
    host from the one proxy's X-Forwarded-* headers: rate limits count the real address, cookies
    are Secure over TLS and the origin check compares the address the browser used."""
    import os

    if os.environ.get("COCKPIT_BEHIND_PROXY", "").strip() in ("1", "true", "yes"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=1, x_proto=1, x_host=1)


def register_probes(app: dash.Dash) -> None:
    """`/healthz`: the process answers. `/readyz`: a snapshot is open and the state store answers
    (503 naming what is not, for the load balancer to take the worker out). Neither says more
    than that: they answer without signing in."""
    from cockpit.query.snapshot import NoSnapshot, current_snapshot

    server = app.server
    prefix = app.config.routes_pathname_prefix

    @server.route(prefix + "healthz", methods=["GET"], endpoint="cockpit_healthz")
    def _healthz():
        return _plain("ok", 200)

    @server.route(prefix + "readyz", methods=["GET"], endpoint="cockpit_readyz")
    def _readyz():
        from cockpit.state.store import engine

        problems = []
        try:
            current_snapshot()
        except NoSnapshot:
            problems.append("no snapshot is published")
        try:
            from sqlalchemy import text

            with engine().connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure of the store (StateError or the driver's) is "not ready"
            problems.append(f"the state store does not answer ({type(error).__name__})")
        return _plain("not ready: " + "; ".join(problems), 503) if problems else _plain("ready", 200)


def _plain(text: str, status: int) -> Response:
    return Response(text + "\n", status=status, mimetype="text/plain")


def callback_request_problem(body: object, callbacks: dict, path_prefix: str = "/") -> str | None:
    """What makes `body` something Dash's renderer never posts to `_dash-update-component`, in a
    few words; None when it has the shape the registered callback expects. Values are not judged
    here: each callback reads its own through `cockpit.ui.params`."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return "no callback has this output"
    registered = callbacks[output]
    if registered.get("callback") is None:
        return "this callback runs in the browser"
    if not isinstance(body.get("outputs", {}), dict | list):
        return "'outputs' is neither an object nor a list"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' is not a list of strings"
    for key in ("inputs", "state"):
        sent, declared = body.get(key, []), registered.get(key, [])
        if not isinstance(sent, list) or len(sent) != len(declared):
            return f"'{key}' does not list the callback's {len(declared)} {key}"
        for item, expected in zip(sent, declared, strict=True):
            # a pattern-matching input (its id registered as the JSON of a dict): Dash sends a list of them
            if not isinstance(expected["id"], str) or expected["id"].startswith("{"):
                if not isinstance(item, dict | list):
                    return f"'{key}' holds a {type(item).__name__} where an input belongs"
            elif not isinstance(item, dict) or (item.get("id"), item.get("property")) != (
                    expected["id"], expected["property"]):
                return f"'{key}' does not name {expected['id']}.{expected['property']}"
            elif (expected["id"], expected["property"]) == ROUTER_PATH:
                value = item.get("value")
                if not isinstance(value, str) or not value.startswith(path_prefix):
                    return f"the page path is not text starting with {path_prefix}"
            elif (expected["id"], expected["property"]) == ROUTER_QUERY:
                if not isinstance(item.get("value"), str | None):  # None: a URL without a query
                    return "the page query is not text"
    return None


def harden(app: dash.Dash) -> None:
    """The limits and answers described in the module docstring, on the app's Flask server."""
    # the pages router's own matching, so the status and the page drawn agree on what is a page
    from dash._pages import _path_to_page

    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    prefix = app.config.routes_pathname_prefix
    update_path = prefix + "_dash-update-component"
    index_endpoints = {prefix, prefix + "<path:path>"}

    @server.before_request
    def _refuse_malformed_callback_requests():
        if request.path != update_path or request.method != "POST":
            return None
        # get_json reads at most MAX_CONTENT_LENGTH (a larger body raises 413 here)
        problem = callback_request_problem(request.get_json(silent=True), app.callback_map,
                                           app.config.requests_pathname_prefix)
        return None if problem is None else _plain(f"malformed callback request: {problem}", 400)

    @server.after_request
    def _unknown_pages_are_404(response):
        if request.method in ("GET", "HEAD") and request.endpoint in index_endpoints and response.status_code == 200:
            page, variables = _path_to_page(app.strip_relative_path(request.path))
            # a page of a path template may say that its variables name nothing (an unknown indicator)
            missing = page.get("missing") if page else None
            if not page or page["module"].split(".")[-1] == "not_found_404" or (missing and missing(**(variables or {}))):
                response.status_code = 404  # the body is still the app: it draws the not-found page
        return response

    # Dash raises DependencyException for a component-suite file it does not serve; unhandled,
    # that was a 500 whose log listed every registered file.
    server.register_error_handler(DependencyException, lambda _e: _plain("not found", 404))


def _query_args(args) -> dict[str, str | list[str]]:
    """The request's query as `parse_records_query` takes it: one value a name, a list when repeated."""
    return {name: values[0] if len(values) == 1 else values for name, values in args.lists()}


def dropped_parameters(args: dict, query) -> str | None:
    """What of the request's query `parse_records_query` left out (it never raises, and the page
    falls back to defaults), in a few words; None when it took everything. An export answers 400
    instead: a file of the default period is not what a bad link asked for."""
    for name in ("indicator", "feed", "region", "frequency", "period", "key"):
        if name in args and getattr(query, name) != args[name]:
            return f"{name}: {str(args[name])[:80]!r} is not a valid value"
    if "sort" in args and not query.sort:
        return f"sort: {str(args['sort'])[:80]!r} is not column:asc|desc[,column:asc|desc]"
    from cockpit.views.records import RESERVED

    for name, value in args.items():
        if name not in RESERVED and query.filters.get(name) != value:
            return f"{str(name)[:64]!r}: not a filter on a column (or its value is not one short text)"
    return None


def register_exports(app: dash.Dash) -> None:
    """`GET /records/export?<the records page's query>&format=xlsx|csv`: the rows the records page
    shows (same filters, sort, columns and masking), streamed as a download.

    The reader is the request's (`cockpit.ui.request.reader`, the viewer's scope); a query the
    reader refuses answers before the first byte: 400 with the problem (an unknown indicator,
    column, period or format), 403 for a region outside the viewer's scope, 404 when no snapshot
    is published. The body is produced batch by batch as it is sent (`cockpit.views.export`).
    """
    from cockpit.query.reader import OutOfScope, OutOfTheme
    from cockpit.query.snapshot import NoSnapshot
    from cockpit.ui import request as request_reader
    from cockpit.views.export import FORMATS, content_disposition, export_response_parts
    from cockpit.views.records import parse_records_query

    server = app.server
    path = app.config.routes_pathname_prefix + "records/export"

    @server.route(path, methods=["GET"], endpoint="cockpit_records_export")
    def _records_export():
        args = _query_args(request.args)
        lang = args.pop("lang", None)
        fmt = args.pop("format", "xlsx")
        lang = lang if isinstance(lang, str) else None
        if fmt not in FORMATS:
            return _plain(f"format: {fmt!r} is not one of {', '.join(FORMATS)}", 400)
        try:
            reader = request_reader.reader(lang)
        except NoSnapshot:
            return _plain("no snapshot is published yet: run `cockpit refresh`", 404)
        query = parse_records_query(args)
        problem = dropped_parameters(args, query)
        if problem is not None:
            return _plain(f"bad records query: {problem}", 400)
        details = {**access.query_details(query), "format": fmt, "snapshot": reader.snapshot_id}
        actor = access.who()

        def audited(rows: int, complete: bool) -> None:
            try:
                access.audit_access("records_export", query.indicator or query.feed,
                                    {**details, "rows": rows, "complete": complete}, actor)
            except Exception:  # noqa: BLE001 - the body is sent: nothing to answer, but it must be seen
                import logging

                logging.getLogger("cockpit.audit").exception("the export by %s could not be audited", actor[0])

        try:
            filename, mimetype, body = export_response_parts(reader, query, fmt, on_done=audited)
        except OutOfScope as error:
            return _plain(f"region: {error.region!r} is outside what this viewer may see", 403)
        except OutOfTheme as error:
            return _plain(f"{error.what}: outside the themes this viewer may see", 403)
        except (KeyError, ValueError) as error:
            problem = error.args[0] if isinstance(error, KeyError) and error.args else error
            return _plain(f"bad records query: {problem}", 400)
        response = Response(body, mimetype=mimetype, direct_passthrough=True)
        response.headers["Content-Disposition"] = content_disposition(filename)
        response.headers["X-Cockpit-Snapshot"] = reader.snapshot_id
        # records may hold personal data: no cache keeps a copy
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def refuse_large_bodies(wsgi_app, limit: int = MAX_BODY_BYTES):
    """Answer 413 from a request's Content-Length, before anything reads the body or the gate
    signs anyone in: a client cannot make a worker receive (or spool) 100 MB to be refused."""

    def guarded(environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # not a number: the server itself answers 400
        if length > limit:
            start_response("413 Request Entity Too Large",
                           [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")])
            return [b"request body too large\n"]
        return wsgi_app(environ, start_response)

    return guarded


def after_fork() -> None:
    """In a freshly forked worker: nothing the parent opened is shared (state store connections,
    DuckDB handles and the results kept of them are per process)."""
    from cockpit.query.snapshot import forget_open_snapshots
    from cockpit.state.store import dispose_all

    dispose_all()
    forget_open_snapshots()


def default_workers() -> int:
    """One worker per core, at least two (one can be replaced while the other answers), at most
    eight (each worker keeps its own query results, so more workers mean more memory)."""
    import os

    return max(2, min(8, os.cpu_count() or 1))


def serve(host: str = "127.0.0.1", port: int = 8050, workers: int | None = None, threads: int = 8) -> None:
    """Serve with gunicorn: `workers` processes of `threads` threads each, forked from one loaded
    app. A worker that dies or hangs is replaced by the master; a published snapshot is read by
    every worker at its next request (the CURRENT pointer is read per request), so a refresh
    needs no restart. The access log goes to standard output (journald or the log file rotates it)."""
    from gunicorn.app.base import BaseApplication

    from cockpit.state.store import upgrade

    # the state store migrated, or found at its schema, before any worker starts: one that cannot
    # be reached stops the start with its message, and a store file in use is never made again
    # empty by a worker (cockpit.state.store)
    upgrade()
    wsgi = refuse_large_bodies(create_app().server)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or default_workers(),
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,  # a wrong configuration stops the start once, with its message
        # a worker silent this long is killed and replaced; gthread workers beat from their own
        # thread, so a long export does not count as silence
        "timeout": 60,
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": "-",
        # who, what, status, bytes, milliseconds: the user is in the audit trail, not here
        "access_log_format": '%(h)s "%(r)s" %(s)s %(B)s %(M)sms',
        "errorlog": "-",
        "proc_name": "cockpit",
        "control_socket_disable": True,
        "post_fork": lambda _arbiter, _worker: after_fork(),
    }

    class Cockpit(BaseApplication):
        def load_config(self):
            for name, value in options.items():
                if name in self.cfg.settings:  # an older gunicorn lacks the newest settings
                    self.cfg.set(name, value)

        def load(self):
            return wsgi

    Cockpit().run()
