"""Start the cockpit: `python app.py` (add `--debug` for Dash's hot-reloading dev server)."""

import sys

from cockpit.web import create_app, serve

if __name__ == "__main__":
    if "--debug" in sys.argv:
        create_app().run(debug=True)
    else:
        serve()
