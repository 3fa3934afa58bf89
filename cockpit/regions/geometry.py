"""Region geometry for maps, served from local files only.

Two kinds, kept apart so a screen can say which it shows:
- **Boundaries** for province, city and county come from GeoJSON files in the geo directory
  (`*-province.geojson`, `*-city.geojson`, `*-county.geojson`, properties `code` and `name`).
  The packaged ones are simplified demo boundaries (see data/geo/SOURCE.md); a deployment drops
  its official boundary files in their place, and `data/geo/source.json` says which is shown.
- **Generated cells** below county level: the Voronoi cells of the children's points, clipped to
  the parent's shape, so the cells of one parent tile it without gaps or overlaps.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, mapping, shape

from cockpit.config import paths
from cockpit.regions.hierarchy import Hierarchy

BOUNDARY_LEVELS = ("province", "city", "county")


def voronoi_cells(points: np.ndarray, parent) -> list:
    """One cell a point (in the points' order), together tiling `parent`."""
    if len(points) == 1:
        return [parent]
    minx, miny, maxx, maxy = parent.bounds
    pad = max(maxx - minx, maxy - miny)
    envelope = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    cells = shapely.voronoi_polygons(MultiPoint([tuple(p) for p in points]), extend_to=envelope, ordered=True)
    return [cell.intersection(parent) for cell in cells.geoms]


@lru_cache(maxsize=8)
def _boundary_file(geo_dir: str, level: str) -> dict[str, tuple[str, object]]:
    files = sorted(Path(geo_dir).glob(f"*-{level}.geojson"))
    out: dict[str, tuple[str, object]] = {}
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        for feat in data["features"]:
            props = feat["properties"]
            out[str(props["code"])] = (props.get("name", ""), shape(feat["geometry"]))
    return out


def boundary_shapes(level: str) -> dict[str, object]:
    if level not in BOUNDARY_LEVELS:
        raise ValueError(f"no boundary files for level {level!r}; boundaries exist for {', '.join(BOUNDARY_LEVELS)}")
    return {code: geom for code, (_, geom) in _boundary_file(str(paths().geo), level).items()}


def county_shapes() -> dict[str, object]:
    return boundary_shapes("county")


class RegionGeometry:
    """Shapes of every region in a hierarchy: boundaries where files hold them, cells below."""

    def __init__(self, hierarchy: Hierarchy):
        self.hierarchy = hierarchy
        self._cache: dict[str, object] = {}

    def source(self, level: str) -> str:
        """'boundary' or 'generated' for the shapes shown at `level`."""
        return "boundary" if level in BOUNDARY_LEVELS and self._from_file(level) else "generated"

    def _from_file(self, level: str) -> dict[str, object]:
        try:
            return boundary_shapes(level)
        except ValueError:
            return {}

    def shape(self, code: str):
        if code in self._cache:
            return self._cache[code]
        region = self.hierarchy.get(code)
        from_file = self._from_file(region.level).get(code) if region.level in BOUNDARY_LEVELS else None
        if from_file is not None:
            self._cache[code] = from_file
            return from_file
        if region.parent_code is None:
            raise ValueError(f"region {code} ({region.name}) has no boundary file and no parent to cut a cell from")
        self._fill_children(region.parent_code)
        return self._cache[code]

    def _fill_children(self, parent_code: str) -> None:
        parent_shape = self.shape(parent_code)
        children = self.hierarchy.children(parent_code)
        points = np.array([(c.lon, c.lat) for c in children])
        for child, cell in zip(children, voronoi_cells(points, parent_shape), strict=True):
            self._cache.setdefault(child.code, cell)

    def feature_collection(self, codes: list[str], precision: int = 5) -> dict:
        """GeoJSON of the given regions, properties code, name, level, source."""
        features = []
        for code in codes:
            region = self.hierarchy.get(code)
            geom = shapely.set_precision(self.shape(code), 10 ** -precision)
            features.append({
                "type": "Feature",
                "properties": {"code": code, "name": region.name, "name_en": region.name_en, "level": region.level,
                               "source": self.source(region.level)},
                "geometry": mapping(geom),
            })
        return {"type": "FeatureCollection", "features": features}

    def children_geojson(self, parent_code: str) -> dict:
        """The shapes of a region's children: what a drill-down map draws."""
        return self.feature_collection([c.code for c in self.hierarchy.children(parent_code)])


def geometry_notice() -> dict[str, str]:
    """What the screens say about the packaged boundaries (审图号 rules: demo data unless official)."""
    f = paths().geo / "source.json"
    if f.exists():
        return json.loads(f.read_text(encoding="utf-8"))
    return {"demo": "false", "zh": "", "en": ""}
