"""Start the cockpit: `python app.py` (add `--debug` for Dash's hot-reloading dev server, which is
refused in production mode: its debugger runs code sent by the browser)."""

import sys

from cockpit.ui.access import production
from cockpit.web import create_app, serve

if __name__ == "__main__":
    if "--debug" in sys.argv:
        if production():
            sys.exit("--debug is refused with COCKPIT_PRODUCTION=1: the debugger runs code sent by the browser")
        create_app().run(debug=True)
    else:
        serve()
