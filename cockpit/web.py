"""The Dash application: one factory, used by `python app.py`, `cockpit serve` and the tests.

The server holds what a client may ask to a few limits (`harden`): bodies over `MAX_BODY_BYTES`
are refused with 413 before they are read, a callback request that is not what Dash's renderer
sends gets a short 400 instead of reaching Dash (where it raised, and answered 500), a
component-suite file that does not exist is a 404, and an address no page answers is a 404 that
still draws the app's own not-found page. Error pages carry no traceback or path.
"""

from __future__ import annotations

import dash
from dash.exceptions import DependencyException
from flask import Response, request

from cockpit.config import REPO_ROOT
from cockpit.ui import shell
from cockpit.ui.deckmap import ASSETS_IGNORE, register_deck_assets
from cockpit.ui.i18n import install_lang_override, t
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
    shell.register_callbacks(app)
    install_lang_override(app.server)
    register_deck_assets(app.server)  # deck.gl for the maps (assets/_vendor/deckgl/)
    harden(app)
    return app


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
            page, _ = _path_to_page(app.strip_relative_path(request.path))
            if not page or page["module"].split(".")[-1] == "not_found_404":
                response.status_code = 404  # the body is still the app: it draws the not-found page
        return response

    # Dash raises DependencyException for a component-suite file it does not serve; unhandled,
    # that was a 500 whose log listed every registered file.
    server.register_error_handler(DependencyException, lambda _e: _plain("not found", 404))


def serve(host: str = "127.0.0.1", port: int = 8050, threads: int = 8) -> None:
    """Serve with waitress, a production WSGI server that needs nothing outside Python."""
    from waitress import serve as waitress_serve

    app = create_app()
    # waitress refuses a longer body itself (413) instead of spooling it for Flask to refuse
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="cockpit",
                   max_request_body_size=MAX_BODY_BYTES)
