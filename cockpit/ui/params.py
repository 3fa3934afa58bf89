"""Page parameters and callback inputs, as a browser sends them and as a hostile client may.

Dash hands a page's layout the query string as it came (`?region=a&region=b` arrives as a list)
and a callback whatever JSON was posted, so each value is read through one of these: it returns
a value of the expected type and range, or the default, and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

MAX_VALUE_CHARS = 200  # longer than any id, code or period a page takes
REGION_CODE = re.compile(r"[0-9]{1,20}")  # GB/T 2260 codes and the 9-, 12- and 15-digit codes below them


def one(value: Any, default: str | None = None) -> str | None:
    """A single short string, else `default` (a repeated parameter, a number, a list, a dict)."""
    return value if isinstance(value, str) and len(value) <= MAX_VALUE_CHARS else default


def choice(value: Any, options: Collection[str], default: str | None) -> str | None:
    """One of `options`, else `default`."""
    text = one(value)
    return text if text in options else default


def seconds(value: Any, default: int, low: int, high: int) -> int:
    """Whole seconds from `?refresh=` or `?carousel=`, clamped to [low, high]; `default` when it is
    not a whole number. The clamp matters: a browser fires a setInterval longer than 2^31-1 ms
    at once, so `?refresh=3000000` made a tab redraw without pause."""
    text = one(value)
    try:
        n = int(text) if text is not None else None
    except ValueError:
        return default
    return default if n is None else min(max(n, low), high)


def region_code(value: Any) -> str | None:
    """A string that can be a region code (digits only), else None; whether the region exists is
    the snapshot's to say."""
    text = one(value)
    return text if text is not None and REGION_CODE.fullmatch(text) else None


def clicked_region(click: Any) -> str | None:
    """The region code a Plotly click names (`clickData.points[0].customdata`), else None."""
    if not isinstance(click, dict):
        return None
    points = click.get("points")
    if not isinstance(points, list) or not points or not isinstance(points[0], dict):
        return None
    return region_code(points[0].get("customdata"))
