"""The Dash application: one factory, used by `python app.py`, `cockpit serve` and the tests."""

from __future__ import annotations

import dash

from cockpit.config import REPO_ROOT
from cockpit.ui import shell
from cockpit.ui.deckmap import ASSETS_IGNORE, register_deck_assets
from cockpit.ui.i18n import install_lang_override, t


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
    app.layout = shell.layout
    shell.register_callbacks(app)
    install_lang_override(app.server)
    register_deck_assets(app.server)  # deck.gl for the maps (assets/_vendor/deckgl/)
    return app


def serve(host: str = "127.0.0.1", port: int = 8050, threads: int = 8) -> None:
    """Serve with waitress, a production WSGI server that needs nothing outside Python."""
    from waitress import serve as waitress_serve

    app = create_app()
    waitress_serve(app.server, host=host, port=port, threads=threads, ident="cockpit")
