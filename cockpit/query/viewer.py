"""Whoever is looking: the one object every read is scoped by.

A viewer is built once per request, in one place (`cockpit.ui.request`), and handed to a
`Reader`; nothing else decides what a request may see. Until sign-in exists every request gets
`default_viewer()`, the whole hierarchy; sign-in will build the same object from an account, so
nothing downstream changes when real users arrive.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("leader", "staff", "analyst", "admin")


@dataclass(frozen=True)
class Viewer:
    role: str = "leader"
    """leader (screens and pages of the subtree), staff (their departments' themes), analyst, admin."""
    region: str | None = None
    """The root of the region subtree the viewer may see: that code and everything below it.
    None: the whole hierarchy (its root)."""
    departments: frozenset[str] | None = None
    """Handling departments whose records the viewer may see; None: every department."""
    themes: frozenset[str] | None = None
    """Indicator systems (themes) the viewer may see; None: every one."""
    lang: str = "zh"
    personal_data: bool = False
    """Whether names, phone numbers and addresses in records may be shown unmasked."""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; roles are {', '.join(ROLES)}")
        if self.lang not in ("zh", "en"):
            raise ValueError(f"unknown language {self.lang!r}")

    def key(self) -> tuple:
        """What identifies the viewer's view of the data: part of every cache key holding scoped results."""
        return (self.role, self.region, tuple(sorted(self.departments)) if self.departments is not None else None,
                tuple(sorted(self.themes)) if self.themes is not None else None, self.lang, self.personal_data)

    def may_see_theme(self, system: str) -> bool:
        return self.themes is None or system in self.themes


def default_viewer(lang: str = "zh") -> Viewer:
    """Every request's viewer until sign-in exists: the whole hierarchy, no personal data."""
    return Viewer(lang=lang)
