"""The cockpit's colours: each one named once, here.

Python takes them from `COLOURS` (`colour`, `rgba`, `rgb_tuple`); the stylesheets and scripts
take them from CSS custom properties, `--cockpit-<name>` and `--cockpit-<name>-rgb` (the channels,
for `rgba(var(--cockpit-cyan-rgb), .25)`), kept in assets/theme/colours.css, which
tests/test_screen_config.py holds equal to `css_variables()`. No other file spells a colour in hex
(the same test). To change a colour, change it here and in colours.css.
"""

from __future__ import annotations

COLOURS: dict[str, str] = {
    # -- the PC views: white cards on a pale page, navy and blue ------------------------------
    "navy": "#0b2a5b",
    "blue": "#1559c2",
    "bg": "#f3f6fb",
    "better": "#0f9d58",
    "worse": "#d93025",
    "card": "#ffffff",
    "label": "#5f6b7a",  # labels and table headers
    "meta": "#8a94a3",  # periods, notes, an unchanged value
    "gridline": "#eef2f7",
    "muted": "#b8c7e0",
    "highlight": "#f29d38",  # the selected region on a PC chart
    "danger": "#dc3545",  # Bootstrap's danger: the damaged-snapshot notice
    # -- the big screen: dark navy, thin cyan lines ------------------------------------------
    "screen-bg": "#050d1f",
    "screen-glow": "#0a1a3a",  # the centre of the background's radial gradient
    "screen-panel": "#081b42",
    "screen-text": "#cfe3ff",
    "screen-title": "#e8f4ff",
    "screen-note": "#7dd3fc",
    "screen-soft": "#9cc7ff",  # the clock, headline names
    "screen-dim": "#7f9cc6",  # headline periods, empty panels
    "screen-grid": "#78aaff",  # chart gridlines (at 15 %)
    "screen-still": "#c8e1ff",  # "no alerts", standing still
    "cyan": "#22d3ee",
    "cyan-deep": "#1fb5d6",
    "sky-blue": "#3b82f6",
    "teal": "#14b8a6",
    "indigo": "#6366f1",
    "amber": "#f59e0b",  # the scope among its peers, late data, the demo badge
    "red": "#ef4444",
    "screen-better": "#34d399",
    "screen-worse": "#f87171",
    "ticker-bg": "#3c0a14",
    "ticker-label": "#fca5a5",
    "ticker-text": "#fde2e2",
    "ink": "#04142e",  # text on the funnel's bright bars
    # -- the deck.gl maps ------------------------------------------------------------------
    "map-low": "#103480",  # the sequential fill, low → high: on the dark screen more reads as more light
    "map-mid-low": "#1862c4",
    "map-mid-high": "#1ea0e6",
    "map-high": "#6eecff",
    "map-no-data": "#28344c",
    "map-outline": "#78dcff",
    "map-hover": "#ffd666",  # a hovered region, here or on a linked panel: warm against the blues
    "map-highlight": "#ffc43d",
    "map-point": "#2ee6a8",
    "map-alarm": "#ff4d4f",
    "map-frame": "#1ec8ff",  # the legend's and tooltip's border
    "map-tip-text": "#e6f4ff",
    "map-legend-text": "#cfe8ff",
    "map-notice": "#aac3e6",
    "map-error": "#ff8a8a",
}


def colour(name: str) -> str:
    """A colour by name, as `#rrggbb`."""
    return COLOURS[name]


def rgb_tuple(name: str) -> tuple[int, int, int]:
    value = COLOURS[name].lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def rgba(name: str, alpha: float) -> str:
    """A colour by name with transparency, as CSS and Plotly write it: rgba(34, 211, 238, 0.25)."""
    r, g, b = rgb_tuple(name)
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def css_variables() -> str:
    """The `:root` block of assets/theme/colours.css."""
    lines = [":root {"]
    for name in COLOURS:
        r, g, b = rgb_tuple(name)
        lines.append(f"  --cockpit-{name}: {COLOURS[name]};")
        lines.append(f"  --cockpit-{name}-rgb: {r}, {g}, {b};")
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # python -m cockpit.ui.theme > assets/theme/colours.css
    print("/* The cockpit's colours as CSS custom properties: written by `python -m cockpit.ui.theme`\n"
          "   from cockpit/ui/theme.py (tests/test_screen_config.py holds the two equal). */")
    print(css_variables(), end="")
