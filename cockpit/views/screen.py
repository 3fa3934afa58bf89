"""What the big screen shows, as data: one pure function a panel, of a reader and plain arguments.

Every number comes from the reader's snapshot, in the viewer's scope and language; nothing here is
formatted or drawn (the renderers in `cockpit.ui.bigscreen` do that, and reports will render the
same objects). Indicator-specific behaviour is declared, not coded: a headline shows the period
under way for an indicator declared `live`, compares with a year before for one declared
`compare: same_period_last_year`, and chart legends use the declared short names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from cockpit.config import clock_minute, now
from cockpit.query.reader import Reader
from cockpit.views.screens import MapLayer, Panel, Screen, Tile

MIN_COMPARED = 3  # fewer children with a value than this: compare the scope among its peers
RANKED = 11  # bars a ranking panel holds (the eleven cities of a province)
STALE_AFTER_DAYS = 2  # the title bar's freshness turns amber when the newest data is older


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _catalogue(reader: Reader) -> dict[str, dict]:
    """The indicators the viewer may see, by id, with the display properties a snapshot written
    before they were declared lacks at their defaults; built once per snapshot and viewer (a
    screen looks an indicator up a hundred times)."""
    def build() -> dict[str, dict]:
        lang = reader.viewer.lang
        out = {}
        for meta in reader.indicators().to_dict("records"):
            meta.setdefault("compare", "previous_period")
            live = meta.get("live")
            meta["live"] = False if live is None or pd.isna(live) else bool(live)
            short = meta.get(f"short_name_{lang}")
            meta["display_name"] = meta[f"name_{lang}"]
            meta["short_name"] = short if isinstance(short, str) and short else meta["display_name"]
            out[meta["indicator"]] = meta
        return out

    return reader.memo("screen-catalogue", (), build)


def _meta(reader: Reader, indicator: str) -> dict:
    """An indicator's catalogue row (KeyError for one the snapshot lacks or the viewer may not see)."""
    found = _catalogue(reader).get(indicator)
    if found is None:
        raise KeyError(f"no indicator {indicator!r} for this viewer")
    return found


def judged(current: object, previous: object, polarity: str) -> str:
    """Whether a change is better, worse or flat by the indicator's polarity, not by its sign."""
    if current is None or previous is None or pd.isna(current) or pd.isna(previous) or current == previous:
        return "flat"
    up = float(current) > float(previous)
    if polarity == "higher_better":
        return "better" if up else "worse"
    if polarity == "lower_better":
        return "worse" if up else "better"
    return "flat"


# -- scope and lateness ----------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """The region a screen shows; `parent` is None at the top of the viewer's subtree."""

    code: str
    name: str
    level: str
    parent: str | None


def scope(reader: Reader, region: str) -> Scope:
    """The scope of `region` (KeyError for a code the snapshot lacks, OutOfScope outside the viewer's)."""
    row = reader.region(region)
    return Scope(code=row["code"], name=row["name_en" if reader.viewer.lang == "en" else "name"],
                 level=row["level"], parent=row["parent_code"])


@dataclass(frozen=True)
class Stale:
    """Why numbers are not new: the feed behind them is overdue (`since`: where its data ends), or
    an indicator behind them failed at the last refresh (`since`: when the values it keeps were
    computed; None when it has none)."""

    failed: bool
    since: pd.Timestamp | None


def stale(reader: Reader, indicators: list[str] | tuple[str, ...]) -> Stale | None:
    """Whether these indicators' numbers are not new: a failure at the last refresh first (the
    numbers are older than their data), else an overdue feed (judged at the clock's minute, and
    kept for it: a screen asks for each panel)."""
    def judge() -> Stale | None:
        failures = reader.failures(list(indicators))
        if len(failures):
            kept = pd.to_datetime(failures["kept_computed_at"])  # NaT: that one has no values to show
            return Stale(failed=True, since=None if kept.isna().any() else pd.Timestamp(kept.min()))
        since = reader.late_since(list(indicators))
        return Stale(failed=False, since=since) if since is not None else None

    return reader.memo("screen-stale", (tuple(indicators),), judge, epoch=clock_minute())


# -- title bar and ticker --------------------------------------------------------------------

@dataclass(frozen=True)
class TitleBar:
    scope: Scope
    theme: str  # the screen's key
    label: str  # i18n key of the theme's name
    data_as_of: pd.Timestamp | None
    data_stale: bool  # the newest data is more than STALE_AFTER_DAYS old
    demo: bool  # the snapshot says it was computed from the demo generator's data


def title_bar(reader: Reader, where: Scope, screen: Screen) -> TitleBar:
    """The title bar's facts, from the snapshot's own provenance (a stand-in snapshot's notice is
    the shell's `snapshot_notice`, from the same provenance)."""
    facts = reader.provenance()
    latest = facts.data_as_of
    stale_days = (now() - pd.Timestamp(latest).to_pydatetime()).days if latest is not None else None
    return TitleBar(scope=where, theme=screen.key, label=screen.label, data_as_of=latest,
                    data_stale=bool(stale_days and stale_days > STALE_AFTER_DAYS), demo=facts.demo is not None)


@dataclass(frozen=True)
class Alert:
    severity: str  # warning | alarm
    text: str


def ticker(reader: Reader, where: Scope, limit: int = 30) -> tuple[Alert, ...]:
    """The alerts within the scope, most severe and newest first."""
    alerts = reader.alerts(where.code, limit)
    column = f"text_{reader.viewer.lang}"
    return tuple(Alert(a["severity"], a[column]) for _, a in alerts.iterrows())


# -- headline tiles --------------------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    """The newest value against the one it is compared with (the period before, or a year before
    for an indicator declared so): `kind` says how the change reads (percentage points for a
    rate, a percentage otherwise, the amount itself from zero)."""

    previous: float
    direction: str  # up | down | flat: the arrow
    judgement: str  # better | worse | flat, by the indicator's polarity
    kind: str  # points | percent | amount
    amount: float  # always positive


def compare(value: float | None, previous: float | None, unit: str, polarity: str) -> Comparison | None:
    if value is None or previous is None:
        return None
    diff = value - previous
    direction = "up" if diff > 0 else "down" if diff < 0 else "flat"
    if unit == "%":
        kind, amount = "points", abs(diff)
    elif previous:
        kind, amount = "percent", abs(diff) / abs(previous) * 100
    else:  # from zero: no percentage
        kind, amount = "amount", abs(diff)
    return Comparison(previous, direction, judged(value, previous, polarity), kind, amount)


@dataclass(frozen=True)
class Headline:
    indicator: str
    name: str
    value: float | None
    unit: str
    decimals: int
    period: str
    comparison: Comparison | None
    stale: Stale | None
    leader: str | None = None  # the indicator is not defined for the scope itself (an index of
    # cities): the value and name are its children's leader's


def headlines(reader: Reader, where: Scope, tiles: tuple[Tile, ...]) -> tuple[Headline, ...]:
    """The headline tiles; an indicator the snapshot lacks, or without any value, is left out."""
    metas = {}
    for tile in tiles:
        try:
            metas[tile.indicator] = _meta(reader, tile.indicator)
        except KeyError:
            continue
    complete = [i for i, m in metas.items() if not m["live"]]
    live = [i for i, m in metas.items() if m["live"]]
    if not metas:
        return ()
    found = pd.concat([reader.latest_values(complete, where.code, complete_only=True) if complete else None,
                       reader.latest_values(live, where.code) if live else None])
    out = []
    for tile in tiles:
        meta = metas.get(tile.indicator)
        if meta is None:
            continue
        row = found[(found["indicator"] == tile.indicator) & (found["frequency"] == tile.frequency)]
        if row.empty:
            tile_model = _leader_tile(reader, where, tile, meta)
            if tile_model is not None:
                out.append(tile_model)
            continue
        r = row.iloc[0]
        previous = _float(r["previous_value"])
        if meta["compare"] == "same_period_last_year":
            previous = _year_before(reader, tile, where.code, r["period"])
        value = _float(r["value"])
        late = stale(reader, [tile.indicator])
        out.append(Headline(indicator=tile.indicator, name=meta["display_name"], value=value, unit=meta["unit"],
                            decimals=int(meta["decimals"]), period=r["period"],
                            comparison=compare(value, previous, meta["unit"], meta["polarity"]), stale=late))
    return tuple(out)


def _year_before(reader: Reader, tile: Tile, region: str, period: str) -> float | None:
    series = reader.series(tile.indicator, region, tile.frequency).set_index("period")["value"]
    earlier = str(int(period[:4]) - 1) + period[4:]
    return _float(series[earlier]) if earlier in series.index else None


def _leader_tile(reader: Reader, where: Scope, tile: Tile, meta: dict) -> Headline | None:
    ranking = reader.ranking(tile.indicator, where.code, tile.frequency)
    if ranking.empty:
        return None
    top = ranking.iloc[0]
    return Headline(indicator=tile.indicator, name=meta["display_name"], value=_float(top["value"]),
                    unit=meta["unit"], decimals=int(meta["decimals"]), period=top["period"], comparison=None,
                    stale=None, leader=top["name_en" if reader.viewer.lang == "en" else "name"])


# -- rankings and the map --------------------------------------------------------------------

def compared(reader: Reader, where: Scope, indicator: str, frequency: str) -> tuple[str, pd.DataFrame]:
    """The area whose regions a ranking or the map compares, and their ranking: the scope's
    children, or the scope among its peers when fewer than MIN_COMPARED children have a value (a
    county's streets have no GDP; a city may have air stations in one district only). Never
    beyond the viewer's subtree: at its top the scope has no parent to fall back to."""
    children = reader.ranking(indicator, where.code, frequency)
    if len(children) >= MIN_COMPARED or where.parent is None:
        return where.code, children
    return where.parent, reader.ranking(indicator, where.parent, frequency)


@dataclass(frozen=True)
class RankedRegion:
    region: str
    name: str  # in the viewer's language
    value: float
    rank: int | None
    previous_rank: int | None
    """Its rank in the period before; None when it had none."""


def ranked_regions(rows: pd.DataFrame, lang: str) -> tuple[RankedRegion, ...]:
    """The rows of `Reader.ranking` as view objects, in their order (best first)."""
    name = "name_en" if lang == "en" else "name"

    def whole(value: object) -> int | None:
        return None if value is None or pd.isna(value) else int(value)

    return tuple(RankedRegion(str(r["region"]), str(r[name]), float(r["value"]), whole(r["rank"]),
                              whole(r.get("previous_rank"))) for _, r in rows.iterrows())


@dataclass(frozen=True)
class Ranking:
    indicator: str
    name: str  # the indicator's
    unit: str
    decimals: int
    area: str  # whose children are ranked: the scope, or its parent (peers)
    selected: str  # the scope, highlighted among its peers
    period: str | None  # None: no values
    regions: tuple[RankedRegion, ...]  # best first
    stale: Stale | None


def ranking(reader: Reader, where: Scope, indicator: str, frequency: str, limit: int | None = RANKED,
            ranked_only: bool = True) -> Ranking:
    """The scope's children (or the scope among its peers, see `compared`) ranked on an
    indicator, best first; `ranked_only` leaves out regions without a rank, `limit` the tail."""
    meta = _meta(reader, indicator)
    area, rows = compared(reader, where, indicator, frequency)
    if ranked_only:
        rows = rows.dropna(subset=["rank"])
    if limit is not None:
        rows = rows.head(limit)
    regions = ranked_regions(rows, reader.viewer.lang)
    return Ranking(indicator=indicator, name=meta["display_name"], unit=meta["unit"], decimals=int(meta["decimals"]),
                   area=area, selected=where.code, period=rows["period"].iloc[0] if len(rows) else None,
                   regions=regions, stale=stale(reader, [indicator]))


def index_ranking(reader: Reader, where: Scope, indicator: str, frequency: str) -> Ranking:
    """A composite index's ranking: every compared region, ranked or not."""
    return ranking(reader, where, indicator, frequency, limit=None, ranked_only=False)


@dataclass(frozen=True)
class SensorPoint:
    lon: float
    lat: float
    name: str
    alarm: bool


@dataclass(frozen=True)
class MapView:
    indicator: str
    name: str  # the indicator's
    unit: str
    decimals: int
    area: str
    area_name: str
    highlight: str | None  # the scope, when the map shows it among its peers
    values: dict[str, float]  # region code → value
    geometry: dict  # GeoJSON of the area's children, named in the viewer's language (short in English)
    sensors: tuple[SensorPoint, ...]
    period: str | None
    stale: Stale | None
    notice: str  # what the boundaries are (not an official map), in the viewer's language


def map_view(reader: Reader, where: Scope, layer: MapLayer) -> MapView:
    """The centre map: the compared regions filled by an indicator, with the sensors in warning or
    alarm on top (every sensor when the layer says `all`)."""
    area, rows = compared(reader, where, layer.indicator, layer.frequency)
    meta = _meta(reader, layer.indicator)
    sensors = reader.sensor_points(area)
    if layer.sensors != "all":
        sensors = sensors[sensors["alarm"] | sensors["warning"]]
    points = tuple(SensorPoint(float(r.lon), float(r.lat), f"{r.sensor_type} {r.sensor_id}", bool(r.alarm))
                   for r in sensors.itertuples())
    geometry = reader.geometry(area)
    return MapView(indicator=layer.indicator, name=meta["display_name"], unit=meta["unit"],
                   decimals=int(meta["decimals"]), area=area, area_name=reader.region_name(area),
                   highlight=where.code if where.code != area else None,
                   values=dict(zip(rows["region"], rows["value"], strict=True)), geometry=geometry, sensors=points,
                   period=rows["period"].iloc[0] if len(rows) else None, stale=stale(reader, [layer.indicator]),
                   notice=reader.geometry_notice())


# -- trends, funnel, breakdown, index dimensions ---------------------------------------------

@dataclass(frozen=True)
class Line:
    indicator: str
    name: str  # the declared short name: the panel's title says the rest
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    target: float | None  # the target that applies to the scope in the latest period's year


@dataclass(frozen=True)
class Trend:
    frequency: str
    unit: str  # shared by every line; "" when they differ
    decimals: int
    lines: tuple[Line, ...]
    stale: Stale | None


def _target(targets: object, region: str, year: int | None) -> float | None:
    """The most specific target for a region and year (indicators/README.md: region and year beat any)."""
    if not isinstance(targets, str) or not targets:
        return None
    best, score = None, -1
    for t in json.loads(targets):
        if (t.get("region") not in (None, region)) or (t.get("year") not in (None, year)):
            continue
        specific = (t.get("region") is not None) * 2 + (t.get("year") is not None)
        if specific > score:
            best, score = float(t["value"]), specific
    return best


def trend(reader: Reader, where: Scope, indicators: tuple[str, ...], frequency: str) -> Trend:
    """Indicators over their last complete periods (18 months, or 12 quarters or years)."""
    keep = 18 if frequency == "month" else 12
    lines, units, decimals = [], set(), 0
    for ident in indicators:
        meta = _meta(reader, ident)
        df = reader.series(ident, where.code, frequency)
        df = df[~df["provisional"]].tail(keep)
        year = int(str(df["period"].iloc[-1])[:4]) if len(df) else None
        lines.append(Line(indicator=ident, name=meta["short_name"], periods=tuple(df["period"].tolist()),
                          values=tuple(_float(v) for v in df["value"]), target=_target(meta.get("targets"), where.code, year)))
        units.add(meta["unit"])
        decimals = max(decimals, int(meta["decimals"]))
    return Trend(frequency=frequency, unit=units.pop() if len(units) == 1 else "", decimals=decimals,
                 lines=tuple(lines), stale=stale(reader, indicators))


@dataclass(frozen=True)
class FunnelStep:
    indicator: str
    label: str  # i18n key (the configuration's)
    value: float


@dataclass(frozen=True)
class Funnel:
    period: str | None
    steps: tuple[FunnelStep, ...]
    stale: Stale | None


def funnel(reader: Reader, where: Scope, panel: Panel) -> Funnel:
    """The steps' counts in their latest complete period; a step without a value is left out."""
    latest = reader.latest_values(list(panel.indicators), where.code, panel.frequency,
                                  complete_only=True).set_index("indicator")
    steps = tuple(FunnelStep(s.indicator, s.label, float(latest.loc[s.indicator, "value"]))
                  for s in panel.steps if s.indicator in latest.index)
    return Funnel(period=latest["period"].iloc[0] if len(latest) else None, steps=steps,
                  stale=stale(reader, panel.indicators))


@dataclass(frozen=True)
class Category:
    name: str
    value: float


@dataclass(frozen=True)
class Breakdown:
    indicator: str
    unit: str
    period: str | None
    categories: tuple[Category, ...]  # largest first
    stale: Stale | None


def breakdown(reader: Reader, where: Scope, indicator: str, frequency: str, limit: int = 6) -> Breakdown:
    """An indicator's largest categories (the hotline's hot topics) in its latest complete period."""
    rows = reader.breakdown(indicator, where.code, frequency, limit)
    column = "category_en" if reader.viewer.lang == "en" else "category"
    return Breakdown(indicator=indicator, unit=_meta(reader, indicator)["unit"],
                     period=rows["period"].iloc[0] if len(rows) else None,
                     categories=tuple(Category(r[column], float(r["value"])) for _, r in rows.iterrows()),
                     stale=stale(reader, [indicator]))


@dataclass(frozen=True)
class Dimension:
    indicator: str
    name: str  # the declared short name: they share the index's words (治理, management)
    score: float | None


@dataclass(frozen=True)
class Dimensions:
    """A composite's dimensions (its children) at a region: the scope, or where the scope itself
    has no value (the province ranks its cities), its leader."""

    region: str | None  # None: nothing to show
    region_name: str
    period: str | None
    dimensions: tuple[Dimension, ...]
    stale: Stale | None


def dimensions(reader: Reader, where: Scope, indicator: str, frequency: str) -> Dimensions:
    region, name = where.code, where.name
    periods = reader.periods(indicator, frequency)
    dims = reader.children_values(indicator, region, frequency, periods[0]) if periods else pd.DataFrame()
    period = periods[0] if periods else None
    if dims.empty or dims["score"].isna().all():  # the province itself has no index: show the leader
        leaders = reader.ranking(indicator, region, frequency)
        if leaders.empty:
            return Dimensions(region=None, region_name=name, period=None, dimensions=(), stale=None)
        top = leaders.iloc[0]
        region, name, period = top["region"], top["name_en" if reader.viewer.lang == "en" else "name"], top["period"]
        dims = reader.children_values(indicator, region, frequency, period)
    return Dimensions(region=region, region_name=name, period=period,
                      dimensions=tuple(Dimension(r["child"], _meta(reader, r["child"])["short_name"], _float(r["score"]))
                                       for _, r in dims.iterrows()),
                      stale=stale(reader, [indicator]))


# -- a whole panel ---------------------------------------------------------------------------

PanelModel = Trend | Ranking | Funnel | Breakdown | Dimensions


def panel_model(reader: Reader, where: Scope, panel: Panel) -> PanelModel:
    """The view model of a configured side panel."""
    if panel.kind == "trend":
        return trend(reader, where, panel.indicators, panel.frequency)
    if panel.kind == "ranking":
        return ranking(reader, where, panel.indicator, panel.frequency)
    if panel.kind == "index_ranking":
        return index_ranking(reader, where, panel.indicator, panel.frequency)
    if panel.kind == "index_radar":
        return dimensions(reader, where, panel.indicator, panel.frequency)
    if panel.kind == "funnel":
        return funnel(reader, where, panel)
    if panel.kind == "breakdown":
        return breakdown(reader, where, panel.indicator, panel.frequency)
    raise ValueError(f"unknown panel kind {panel.kind!r}")  # screens.py admits only the kinds above
