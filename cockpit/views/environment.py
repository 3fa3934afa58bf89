"""生态环境 (/environment) as data: air quality (the share of good-air days, PM2.5) by region and
by station, surface-water sections by grade, both against their targets, and the solid waste
moved on transfer manifests.

Indicator numbers are values of the snapshot read through the `Reader`. Stations and sections are
points, not regions: they are listed from their feeds' own rows (`Reader.records`, in the
viewer's scope), as they were reported, with nothing computed from them except how many of the
listed sections have each grade (the rows of the table beside it).

Cross filters (`CROSS`, in the URL like every choice) narrow the panels whose rows have that
column: a station class the stations list and the stations on the map, a water grade the
sections list, a waste class the manifests panel (its records and its trend). The indicator
values (headlines, trends, the children's table, the map's fill) are not split by any of them:
`not_narrowed` names, for each panel, the filters it does not honour, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cockpit.query.reader import Reader
from cockpit.views.screen import _catalogue, _target
from cockpit.views.workbench import (
    Column,
    Coverage,
    Headline,
    PageSpec,
    PeriodChoice,
    Place,
    WorkbenchQuery,
    coverage,
    defined_at,
    headlines,
    indicator_href,
    level_name,
    may_see,
    page_href,
    period_choice,
    place,
    records_href,
    trend_window,
    value_at,
)

# The cross filters: columns of the feeds the page lists (air_stations, water_quality_monthly, waste_manifests)
CROSS = ("station_class", "grade", "waste_class")
# the waste on transfer manifests is the Waste-Free Index's: shown to those who may see it
SPEC = PageSpec(path="/environment", lead="good_air_day_ratio", frequencies=("month", "year"), cross=CROSS,
                themes=("environment", "waste_free"))
# The panels each cross filter narrows (the others say they are not narrowed by it)
NARROWS = {"station_class": frozenset({"stations", "map-points"}), "grade": frozenset({"sections"}),
           "waste_class": frozenset({"manifests"})}
STATION_CLASSES = ("国控", "省控", "市控")  # the contract's allowed values, national first
HEADLINES = ("good_air_day_ratio", "pm25_mean", "water_good_section_ratio", "water_worse_than_v_ratio",
             "o3_mean", "heavy_pollution_days")
TRENDS = ("good_air_day_ratio", "pm25_mean", "water_good_section_ratio")
TABLE = ("good_air_day_ratio", "pm25_mean", "o3_mean", "water_good_section_ratio", "water_worse_than_v_ratio")
# The waste moved on transfer manifests, by class: tons created in the period by the region's producers.
MANIFEST_CLASSES = (("工业固废", "Industrial solid waste", "wfi_ind_tons"),
                    ("危险废物", "Hazardous waste", "wfi_haz_tons"),
                    ("生活垃圾", "Household waste", "wfi_hh_tons"),
                    ("建筑垃圾", "Construction waste", "wfi_con_tons"),
                    ("农业废弃物", "Agricultural waste", "wfi_agri_tons"))
GRADES = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ")
GOOD_GRADES = frozenset({"Ⅰ", "Ⅱ", "Ⅲ"})
READING_HOURS = 3  # a station's latest reading is looked for in the feed's last hours
ALL_INDICATORS = tuple(dict.fromkeys(HEADLINES + TRENDS + TABLE))


def not_narrowed(q: WorkbenchQuery, panel: str) -> tuple[str, ...]:
    """The cross filters of `q` that panel `panel` (a key of the sets in `NARROWS`: headlines,
    trends, children, map, map-points, stations, sections, manifests) does not honour."""
    return tuple(dim for dim, _ in q.filters if panel not in NARROWS.get(dim, frozenset()))


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _name(meta: dict, lang: str) -> str:
    short = meta.get(f"short_name_{lang}")
    return short if isinstance(short, str) and short else str(meta[f"name_{lang}"])


def _period_bounds(period: str, frequency: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[start, end) of a month (2026-10) or a year (2026)."""
    if frequency == "year":
        start = pd.Timestamp(f"{int(period)}-01-01")
        return start, start + pd.DateOffset(years=1)
    start = pd.Timestamp(f"{period}-01")
    return start, start + pd.DateOffset(months=1)


@dataclass(frozen=True)
class Frame:
    query: WorkbenchQuery
    place: Place
    period: PeriodChoice
    coverage: Coverage | None  # air and water stop above this place's level


def frame(reader: Reader, q: WorkbenchQuery) -> Frame:
    where = place(reader, q.region)
    # at community and grid level: a link to the manifests of the region's own producers, for a
    # viewer who may see them (they are the Waste-Free Index's)
    manifests_seen = any(may_see(reader, indicator) for _, _, indicator in MANIFEST_CLASSES)
    return Frame(query=q, place=where, period=period_choice(reader, SPEC.lead, q.frequency, q.period),
                 coverage=coverage(reader, ALL_INDICATORS, where,
                                   records_feed="waste_manifests" if manifests_seen else None))


# -- trends against their targets ---------------------------------------------------------------

@dataclass(frozen=True)
class TrendView:
    indicator: str
    name: str
    unit: str
    decimals: int
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    target: float | None  # the target for the place in the chosen period's year
    link: str


def trends(reader: Reader, f: Frame) -> tuple[TrendView, ...]:
    """Each trend indicator over the complete periods up to the chosen one, with its target."""
    lang = reader.viewer.lang
    catalogue = _catalogue(reader)
    out = []
    for indicator in TRENDS:
        meta = catalogue.get(indicator)
        if meta is None or f.period.chosen is None:
            continue
        df = reader.series(indicator, f.place.code, f.query.frequency)
        df = df[~df["provisional"] & df["value"].notna()]
        df = trend_window(df, f.query.frequency, f.period.chosen, f.query.since)
        if df.empty:
            continue
        out.append(TrendView(indicator=indicator, name=_name(meta, lang), unit=str(meta["unit"]),
                             decimals=int(meta["decimals"]), periods=tuple(df["period"].tolist()),
                             values=tuple(_float(v) for v in df["value"]),
                             target=_target(meta.get("targets"), f.place.code, int(f.period.chosen[:4])),
                             link=indicator_href(indicator, f.query)))
    return tuple(out)


# -- the children, side by side -----------------------------------------------------------------

@dataclass(frozen=True)
class ChildRow:
    code: str
    name: str
    href: str  # the page at this child
    values: tuple[float | None, ...]  # in the columns' order
    meets: tuple[bool | None, ...]  # against each column's target (None: no target or no value)


@dataclass(frozen=True)
class ChildTable:
    level_name: str | None
    period: str | None
    columns: tuple[Column, ...]
    rows: tuple[ChildRow, ...]  # by the first column, best first


def _meets(value: float | None, target: float | None, polarity: str) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if polarity == "higher_better" else value <= target


def child_table(reader: Reader, f: Frame) -> ChildTable:
    """The place's children with the air and water indicators of the chosen period, each against its target."""
    lang = reader.viewer.lang
    catalogue = _catalogue(reader)
    period = f.period.chosen
    columns, found = [], {}
    for indicator in TABLE:
        meta = catalogue.get(indicator)
        if meta is None:
            continue
        columns.append(Column(indicator=indicator, name=_name(meta, lang), unit=str(meta["unit"]),
                              decimals=int(meta["decimals"]), polarity=str(meta["polarity"]),
                              target=_target(meta.get("targets"), f.place.code, int(period[:4])) if period else None))
        rows = reader.ranking(indicator, f.place.code, f.query.frequency, period) if period else pd.DataFrame()
        if len(rows):
            rows = rows[rows["period"] == period]
            found[indicator] = dict(zip(rows["region"], rows["value"], strict=True))
    children = [c for c in f.place.children if any(c.code in found.get(col.indicator, {}) for col in columns)]
    out = []
    for child in children:
        values = tuple(_float(found.get(col.indicator, {}).get(child.code)) for col in columns)
        out.append(ChildRow(code=child.code, name=child.name, href=page_href(SPEC, f.query, region=child.code),
                            values=values,
                            meets=tuple(_meets(v, col.target, col.polarity) for v, col in zip(values, columns,
                                                                                             strict=True))))
    if columns:
        first = columns[0]
        sign = -1 if first.polarity == "higher_better" else 1
        out.sort(key=lambda r: (r.values[0] is None, sign * (r.values[0] or 0.0), r.name))
    return ChildTable(level_name=f.place.child_level_name, period=period, columns=tuple(columns), rows=tuple(out))


# -- the children on a map ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildMap:
    indicator: str  # the lead indicator, whose value fills each child
    name: str
    unit: str
    decimals: int
    period: str | None
    level_name: str | None  # the children's level
    values: dict[str, float]  # child code → value (a child without one is drawn as having no data)
    geometry: dict  # the children's shapes, named in the viewer's language
    notice: str  # what the boundaries are
    coverage: Coverage | None  # the lead indicator is not counted at the children's level: said instead of values
    points: tuple[Station, ...] = ()  # the stations listed beside the map (narrowed by a station class)


def child_map(reader: Reader, f: Frame, table: ChildTable | None, found: Stations) -> ChildMap | None:
    """The place's children filled by the share of good-air days (the children table's first
    column, read once), with the listed stations on top; None for a place without children. When
    the indicator stops above the children's level (a county's streets), `coverage` says where."""
    if not f.place.children:
        return None
    meta = _catalogue(reader).get(SPEC.lead)
    if meta is None:
        return None
    values: dict[str, float] = {}
    if table is not None and table.columns and table.columns[0].indicator == SPEC.lead:
        values = {r.code: r.values[0] for r in table.rows if r.values[0] is not None}
    below = coverage(reader, (SPEC.lead,), place(reader, f.place.children[0].code))
    return ChildMap(indicator=SPEC.lead, name=_name(meta, reader.viewer.lang), unit=str(meta["unit"]),
                    decimals=int(meta["decimals"]), period=f.period.chosen, level_name=f.place.child_level_name,
                    values=values, geometry=reader.geometry(f.place.code), notice=reader.geometry_notice(),
                    coverage=below, points=found.rows)


# -- air stations and their latest readings ------------------------------------------------------

@dataclass(frozen=True)
class Station:
    station_id: str
    name: str
    station_class: str
    county: str
    lon: float
    lat: float
    reading_at: pd.Timestamp | None  # the station's newest hour in the feed's last READING_HOURS hours
    aqi: float | None
    pm25: float | None
    o3: float | None
    records: str  # the station's hourly readings in the chosen period


@dataclass(frozen=True)
class Stations:
    latest_hour: pd.Timestamp | None  # the feed's newest hour in the place
    rows: tuple[Station, ...]  # worst AQI first, then the silent ones; of the chosen class only
    total: int  # every station of the place
    classes: tuple[tuple[str, int], ...] = ()  # (class, stations of the place of that class), national first
    selected: str | None = None  # the station class of the cross filter


def stations(reader: Reader, f: Frame) -> Stations:
    """The air-quality stations of the place (and below it), each with its latest hourly reading;
    with a `station_class` filter, those of that class (the counts by class are of them all)."""
    chosen = f.query.filter("station_class")
    listed = reader.records("air_stations", {"region": f.place.code}, sort=[("station_id", "asc")], limit=1000)
    if listed.rows.empty:
        return Stations(latest_hour=None, rows=(), total=0, selected=chosen)
    counted = listed.rows["station_class"].astype(str).value_counts()
    classes = tuple((c, int(counted[c])) for c in (*STATION_CLASSES, *sorted(set(counted.index) - set(STATION_CLASSES)))
                    if c in counted.index)
    newest = reader.records("air_quality_hourly", {"region": f.place.code}, sort=[("ts", "desc")], limit=1).rows
    latest = pd.Timestamp(newest["ts"].iloc[0]) if len(newest) else None
    readings: dict[str, dict] = {}
    if latest is not None:
        recent = reader.records("air_quality_hourly",
                                {"region": f.place.code,
                                 "ts": {"from": latest - pd.Timedelta(hours=READING_HOURS - 1)}},
                                sort=[("ts", "desc")], limit=1000).rows
        for row in recent.to_dict("records"):
            readings.setdefault(str(row["station_id"]), row)  # newest first: the first is the latest
    names = {}
    out = []
    period = f.period.chosen
    for row in listed.rows.to_dict("records"):
        if chosen is not None and str(row["station_class"]) != chosen:
            continue
        county = str(row["region_code"])
        if county not in names:
            names[county] = reader.region_name(county)
        got = readings.get(str(row["station_id"]))
        records = records_href("pm25_mean", county, f.query.frequency, period or "",
                               (("station_id", str(row["station_id"])),))
        out.append(Station(station_id=str(row["station_id"]), name=str(row["name"]),
                           station_class=str(row["station_class"]), county=names[county], lon=float(row["lon"]),
                           lat=float(row["lat"]), reading_at=pd.Timestamp(got["ts"]) if got else None,
                           aqi=_float(got["aqi"]) if got else None, pm25=_float(got["pm25"]) if got else None,
                           o3=_float(got["o3"]) if got else None, records=records))
    out.sort(key=lambda s: (s.aqi is None, -(s.aqi or 0.0), s.station_id))
    return Stations(latest_hour=latest, rows=tuple(out), total=listed.total, classes=classes, selected=chosen)


# -- water sections by grade ---------------------------------------------------------------------

@dataclass(frozen=True)
class Section:
    section_id: str
    name: str
    water_body: str
    county: str
    control_level: str
    target_grade: str
    grade: str
    meets_target: bool  # its grade is its target grade or better


@dataclass(frozen=True)
class GradeCount:
    grade: str
    sections: int  # listed sections graded so
    records: str  # their monthly records


@dataclass(frozen=True)
class Sections:
    month: str | None  # the month shown: the chosen one, or the newest graded month of the chosen year
    rows: tuple[Section, ...]  # worst grade first; of the chosen grade only
    grades: tuple[GradeCount, ...]  # every grade, Ⅰ to 劣Ⅴ, of all the sections graded that month
    good_share: float | None  # the snapshot's share at grade III or better for that month (the same count)
    records: str | None  # the monthly records of the sections listed
    selected: str | None = None  # the grade of the cross filter


def sections(reader: Reader, f: Frame) -> Sections:
    """The monitored sections of the place with their grade in the chosen month (for a year: its
    newest graded month), worst first, and how many of them have each grade; with a `grade`
    filter, the sections of that grade (the counts by grade are of them all)."""
    chosen = f.query.filter("grade")
    empty = Sections(month=None, rows=(), grades=(), good_share=None, records=None, selected=chosen)
    if f.period.chosen is None:
        return empty
    start, end = _period_bounds(f.period.chosen, f.query.frequency)
    newest = reader.records("water_quality_monthly", {"region": f.place.code, "month": {"from": start, "to": end}},
                            sort=[("month", "desc")], limit=1).rows
    if newest.empty:
        return empty
    month_start = pd.Timestamp(newest["month"].iloc[0])
    month = month_start.strftime("%Y-%m")
    graded = reader.records("water_quality_monthly",
                            {"region": f.place.code,
                             "month": {"from": month_start, "to": month_start + pd.DateOffset(months=1)}},
                            limit=1000).rows
    listed = reader.records("water_sections", {"region": f.place.code}, limit=1000).rows
    info = {str(r["section_id"]): r for r in listed.to_dict("records")}
    rank = {g: i for i, g in enumerate(GRADES)}
    names: dict[str, str] = {}
    rows = []
    for r in graded.to_dict("records"):
        meta = info.get(str(r["section_id"]), {})
        county = str(r["region_code"])
        if county not in names:
            names[county] = reader.region_name(county)
        target = str(meta.get("target_grade") or "")
        grade = str(r["grade"])
        rows.append(Section(section_id=str(r["section_id"]), name=str(meta.get("name") or r["section_id"]),
                            water_body=str(meta.get("water_body") or ""), county=names[county],
                            control_level=str(meta.get("control_level") or ""), target_grade=target, grade=grade,
                            meets_target=bool(target) and rank.get(grade, 99) <= rank.get(target, -1)))
    rows.sort(key=lambda s: (-rank.get(s.grade, 99), s.meets_target, s.section_id))
    grades = tuple(GradeCount(grade=g, sections=sum(1 for s in rows if s.grade == g),
                              records=records_href("water_sections_monitored", f.place.code, "month", month,
                                                   (("grade", g),)))
                   for g in GRADES)
    share = value_at(reader, "water_good_section_ratio", f.place.code, "month", month) \
        if defined_at(reader, "water_good_section_ratio", f.place.level) else None
    narrowed = (("grade", chosen),) if chosen is not None else ()
    return Sections(month=month, rows=tuple(s for s in rows if chosen is None or s.grade == chosen), grades=grades,
                    good_share=share, records=records_href("water_sections_monitored", f.place.code, "month", month,
                                                           narrowed), selected=chosen)


# -- waste on transfer manifests ------------------------------------------------------------------

@dataclass(frozen=True)
class ManifestClass:
    waste_class: str  # the feed's value (the records filter)
    label: str  # in the viewer's language
    indicator: str
    tons: float | None
    records: str


@dataclass(frozen=True)
class Manifests:
    period: str | None
    counted_here: bool  # the manifest indicators are defined at the place's level
    counted_at: tuple[str, ...]  # the levels they are counted at (names), when not here
    classes: tuple[ManifestClass, ...]  # largest first
    unit: str
    selected: str | None = None  # the waste class of the cross filter (the feed's value)
    trend: TrendView | None = None  # the selected class's tons over the periods up to the chosen one


def manifests(reader: Reader, f: Frame) -> Manifests | None:
    """Tons of waste on the transfer manifests created in the period by the place's producers, by
    class; with a `waste_class` filter, that class marked and its tons over the periods. None when
    the viewer sees none of them (the Waste-Free Index is not among their themes)."""
    lang = reader.viewer.lang
    chosen = f.query.filter("waste_class")
    catalogue = _catalogue(reader)
    known = [(zh, en, i) for zh, en, i in MANIFEST_CLASSES if i in catalogue]
    period = f.period.chosen
    if not known:
        return None
    here = defined_at(reader, known[0][2], f.place.level)
    levels = tuple(level_name(lv, lang) for lv in str(catalogue[known[0][2]].get("levels") or "").split(",") if lv)
    classes = []
    if here and period:
        for zh, en, indicator in known:
            classes.append(ManifestClass(
                waste_class=zh, label=en if lang == "en" else zh, indicator=indicator,
                tons=value_at(reader, indicator, f.place.code, f.query.frequency, period),
                records=records_href(indicator, f.place.code, f.query.frequency, period)))
        classes.sort(key=lambda c: (c.tons is None, -(c.tons or 0.0)))
    trend = None
    picked = next((c for c in classes if c.waste_class == chosen), None)
    if picked is not None:
        meta = catalogue[picked.indicator]
        df = reader.series(picked.indicator, f.place.code, f.query.frequency)
        df = trend_window(df[~df["provisional"] & df["value"].notna()], f.query.frequency, period, f.query.since)
        if len(df):
            trend = TrendView(indicator=picked.indicator, name=picked.label, unit=str(meta["unit"]),
                              decimals=int(meta["decimals"]), periods=tuple(df["period"].tolist()),
                              values=tuple(_float(v) for v in df["value"]), target=None,
                              link=indicator_href(picked.indicator, f.query))
    return Manifests(period=period, counted_here=here, counted_at=levels, classes=tuple(classes),
                     unit=str(catalogue[known[0][2]]["unit"]), selected=chosen, trend=trend)


@dataclass(frozen=True)
class EnvironmentPage:
    frame: Frame
    headlines: tuple[Headline, ...]
    trends: tuple[TrendView, ...]
    children: ChildTable | None
    stations: Stations
    sections: Sections
    manifests: Manifests | None  # None: not among the viewer's themes
    map: ChildMap | None = None


def environment_page(reader: Reader, q: WorkbenchQuery) -> EnvironmentPage:
    f = frame(reader, q)
    if f.coverage is not None:  # below a county: no air or water values; the manifests still count a county's
        return EnvironmentPage(frame=f, headlines=(), trends=(), children=None,
                               stations=Stations(None, (), 0), sections=Sections(None, (), (), None, None),
                               manifests=manifests(reader, f))
    table = child_table(reader, f) if f.place.children else None
    found = stations(reader, f)
    return EnvironmentPage(frame=f, headlines=headlines(reader, HEADLINES, f.place, q, f.period),
                           trends=trends(reader, f), children=table, stations=found, sections=sections(reader, f),
                           manifests=manifests(reader, f), map=child_map(reader, f, table, found))
