"""Interface strings by area, merged into the one table of `cockpit.ui.i18n`.

Each module here holds `STRINGS = {key: {"zh": ..., "en": ...}}` for one area of the interface,
its keys prefixed by the area; `AREAS` lists them. A key defined twice (in two areas, or an area
and the shell's own table) fails at import, so one key always has one text.
"""

from __future__ import annotations

import importlib

AREAS = ("workbench", "governance", "economy", "environment", "infrastructure", "waste_free", "indicator",
         "records", "access")


def area_strings() -> list[tuple[str, dict[str, dict[str, str]]]]:
    """(area, its strings) for every area that has a module (an area may not have been written yet)."""
    found = []
    for area in AREAS:
        try:
            module = importlib.import_module(f"{__name__}.{area}")
        except ModuleNotFoundError as missing:
            if missing.name != f"{__name__}.{area}":
                raise
            continue
        found.append((area, module.STRINGS))
    return found
