"""The administrative hierarchy and its geometry."""

from cockpit.regions.hierarchy import (
    LEVEL_LABELS,
    LEVELS,
    Hierarchy,
    HierarchyError,
    Region,
    UnknownRegion,
    load_hierarchy,
)

__all__ = ["LEVELS", "LEVEL_LABELS", "Hierarchy", "HierarchyError", "Region", "UnknownRegion", "load_hierarchy"]
