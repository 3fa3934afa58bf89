"""Department pages drawn once per snapshot, viewer and address, not once per request.

A department page is a pure function of its address, the viewer and the published snapshot (and
of the clock's minute, for what is "overdue" or "late"), so the page the pages router sends for
an address is kept and handed to the next request that asks for the same address as the same
viewer (its scope, departments, themes, language, personal-data right: `Viewer.key()`) on the
same snapshot within the same minute: the staff of a district opening their morning view, or a
client reloading, cost the server the JSON encoding and no more.

A page opts in with `kept=True` in its `dash.register_page` call; `keep_layouts` wraps those
pages' layout functions once the pages are registered. The big screen does not opt in: its canvas
is kept by its own page (`pages/screen.py`), which its live timer shares.

The pages are kept here rather than with the snapshot's query results (`Reader.memo`): a drawn
page weighs a few hundred kilobytes against a result's few, and a client can ask for any number
of addresses, so they get a bound of their own, `KEPT_PAGES` per worker.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from cockpit.config import clock_minute
from cockpit.query.snapshot import NoSnapshot
from cockpit.ui import params, request

KEPT_PAGES = 256
_kept: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()


def forget_kept_pages() -> None:
    """Forget every kept page (benchmarks time a page's first view with this)."""
    with _lock:
        _kept.clear()


def _address(query: Mapping[str, object]) -> tuple:
    return tuple(sorted((str(name), str(value)) for name, value in query.items()))


def kept_layout(module: str, layout: Callable) -> Callable:
    """`layout`, answering from the kept pages when it has drawn this address for this viewer."""

    @functools.wraps(layout)
    def kept(**query):
        try:
            reader = request.reader(params.one(query.get("lang")))
        except NoSnapshot:
            return layout(**query)  # the page says so itself; nothing to keep
        key = (module, reader.snapshot_id, reader.damage, reader.viewer.key(), clock_minute(), _address(query))
        with _lock:
            found = _kept.get(key)
            if found is not None:
                _kept.move_to_end(key)
                return found
        drawn = layout(**query)
        with _lock:
            _kept[key] = drawn
            while len(_kept) > KEPT_PAGES:
                _kept.popitem(last=False)
        return drawn

    kept.kept = True
    return kept


def keep_layouts(registry: Mapping[str, dict]) -> None:
    """Wrap the layout of every page registered with `kept=True` (once: a second call changes nothing)."""
    for module, page in registry.items():
        layout = page.get("layout")
        if page.get("kept") and callable(layout) and not getattr(layout, "kept", False):
            page["layout"] = kept_layout(module, layout)
