"""The request's viewer and reader: the one place pages and callbacks get their access to data.

Today every request is seen by the default viewer (the whole hierarchy) in the request's
language; sign-in will build the viewer from the session here, and nothing that calls
`reader()` changes.
"""

from __future__ import annotations

from cockpit.query.reader import Reader
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.ui.i18n import current_lang


def viewer(lang: str | None = None) -> Viewer:
    """Who is looking, in the language asked for (`?lang=`), else the cookie's, else Chinese."""
    return default_viewer(current_lang(lang))


def reader(lang: str | None = None) -> Reader:
    """A reader of the published snapshot for the request's viewer (raises NoSnapshot when none is)."""
    return Reader.current(viewer(lang))
