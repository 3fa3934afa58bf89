"""The request's viewer and reader: the one place pages and callbacks get their access to data.

In a request, the viewer is the signed-in user's (`cockpit.ui.access` puts the user on the request;
`accounts.viewer_for` makes the viewer from it), in the request's language. A request that reached
here without a user is refused (`NotSignedIn`): the gate answers anonymous requests first, and this
is the second lock behind it. Outside any request (the command line, benchmarks and tests calling
views directly) there is no one to sign in: the process reads as the default viewer, the whole
hierarchy without personal data.
"""

from __future__ import annotations

from cockpit.query.reader import Reader
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.ui.i18n import current_lang


def viewer(lang: str | None = None) -> Viewer:
    """Who is looking, in the language asked for (`?lang=`), else the cookie's, else Chinese."""
    from flask import has_request_context

    lang = current_lang(lang)
    if not has_request_context():
        return default_viewer(lang)
    from cockpit.state.accounts import viewer_for
    from cockpit.ui.access import NotSignedIn, current_user

    user = current_user()
    if user is None:
        raise NotSignedIn("no signed-in user on this request")
    return viewer_for(user, lang)


def reader(lang: str | None = None) -> Reader:
    """A reader of the published snapshot for the request's viewer (raises NoSnapshot when none is)."""
    return Reader.current(viewer(lang))
