"""Generate plausible regions below county level for the demo: streets, communities, grids.

Real data stops at county level (official GB/T 2260 codes). Below it the cockpit needs a full
tree to drill into, so this module makes one that looks like Zhejiang's: districts are mostly
街道, counties mostly 镇 and 乡; towns hold 村 and a few 社区; every community is split into
网格. Codes extend the parent's the way the statistical division codes do (9 digits for a
street, 12 for a community), and grids add a 3-digit suffix (15 digits).

Each child gets a point inside its parent's area; `cockpit.regions.geometry` turns sibling
points into Voronoi cells clipped to the parent, so cells tile their parent exactly.

Run `python -m cockpit.regions.synthesize` to rewrite data/regions/zhejiang-subcounty-demo.csv
(deterministic for the seed); the file is committed so every installation sees the same tree.
"""

from __future__ import annotations

import csv
import sys

import numpy as np
import shapely

from cockpit.config import paths
from cockpit.regions.geometry import county_shapes, voronoi_cells
from cockpit.regions.hierarchy import Hierarchy, hierarchy_files
from cockpit.regions.names import english_name

SEED = 20261125
OUTPUT_NAME = "zhejiang-subcounty-demo.csv"

_FIRST = list("东西南北新城长安金玉白青石龙凤桃柳梅兰松竹枫湖江溪山峰塘桥港浦泉坪林沙田塔云文和平永兴富康宁华清明仁义礼乐双三古大小上下前后高")
_SECOND = list("湖桥塘溪山岭港浦泉坪林田洋岙湾村庄门头口桥亭塔阳川河州源坑墩埠店岗圩坞渡滨苑园里")
_COMMUNITY_SUFFIX = ("社区", "村")


def _names(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    out = []
    while len(out) < count:
        a, b = rng.choice(_FIRST), rng.choice(_SECOND)
        if a == b:
            continue
        name = a + b
        if name not in taken:
            taken.add(name)
            out.append(name)
    return out


def _points_in(geom, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` points spread over `geom`: rejection sampling, then two Lloyd steps to even them."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    found: list[np.ndarray] = []
    have = 0
    for _ in range(200):
        xs = rng.uniform(minx, maxx, 256)
        ys = rng.uniform(miny, maxy, 256)
        inside = shapely.contains_xy(geom, xs, ys)
        found.append(np.column_stack([xs[inside], ys[inside]]))
        have += int(inside.sum())
        if have >= count:
            break
    pts = np.concatenate(found)[:count] if have else np.empty((0, 2))
    if len(pts) < count:  # a sliver of a polygon: put the rest on its representative point
        rp = geom.representative_point()
        pts = np.vstack([pts, np.tile([rp.x, rp.y], (count - len(pts), 1))])
    for _ in range(2):
        cells = voronoi_cells(pts, geom)
        moved = []
        for cell, original in zip(cells, pts, strict=True):
            if cell.is_empty:
                moved.append(original)
                continue
            c = cell.centroid
            if not cell.contains(c):
                c = cell.representative_point()
            moved.append((c.x, c.y))
        pts = np.array(moved)
    # jitter exact duplicates apart so Voronoi stays defined
    return pts + rng.normal(0, 1e-6, pts.shape)


def synthesize(real: Hierarchy, seed: int = SEED) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    shapes = county_shapes()
    rows: list[list[object]] = []
    for county in sorted(real.at_level("county"), key=lambda r: r.code):
        geom = shapes[county.code]
        urban = county.name.endswith("区")
        county_city = county.name.endswith("市")
        n_streets = int(rng.integers(6, 13) if urban else rng.integers(7, 14))
        share_jiedao = 0.75 if urban else (0.35 if county_city else 0.15)
        n_jiedao = max(1, round(n_streets * share_jiedao))
        street_points = _points_in(geom, n_streets, rng)
        street_cells = voronoi_cells(street_points, geom)
        taken: set[str] = set()
        street_names = _names(rng, n_streets, taken)
        town_seq = 100
        for i in range(n_streets):
            is_jiedao = i < n_jiedao
            if is_jiedao:
                code = f"{county.code}{i + 1:03d}"
                name = street_names[i] + "街道"
            else:
                code = f"{county.code}{town_seq:03d}"
                town_seq += 1
                name = street_names[i] + ("乡" if (not urban and rng.random() < 0.15) else "镇")
            x, y = street_points[i]
            rows.append([code, name, english_name(name), "street", county.code, round(x, 5), round(y, 5)])
            n_comm = int(rng.integers(6, 15))
            comm_points = _points_in(street_cells[i], n_comm, rng)
            comm_cells = voronoi_cells(comm_points, street_cells[i])
            comm_names = _names(rng, n_comm, set())
            n_shequ = n_comm if is_jiedao else int(rng.integers(1, 3))
            for j in range(n_comm):
                shequ = j < n_shequ
                ccode = f"{code}{(j + 1) if shequ else (200 + j):03d}"
                cname = comm_names[j] + ("社区" if shequ else "村")
                cx, cy = comm_points[j]
                rows.append([ccode, cname, english_name(cname), "community", code, round(cx, 5), round(cy, 5)])
                n_grid = int(rng.integers(3, 7) if shequ else rng.integers(1, 4))
                grid_points = _points_in(comm_cells[j], n_grid, rng)
                for k in range(n_grid):
                    gx, gy = grid_points[k]
                    gname = f"第{k + 1}网格"
                    rows.append([f"{ccode}{k + 1:03d}", gname, english_name(gname), "grid", ccode,
                                 round(gx, 6), round(gy, 6)])
    return rows


def main(argv: list[str] | None = None) -> None:
    out_dir = paths().regions
    real_files = [f for f in hierarchy_files(out_dir) if f.name != OUTPUT_NAME]
    real = Hierarchy.from_csv(real_files)
    rows = synthesize(real)
    out = out_dir / OUTPUT_NAME
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "name_en", "level", "parent_code", "lon", "lat"])
        writer.writerows(rows)
    tmp.replace(out)
    print(f"{len(rows)} sub-county regions written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
