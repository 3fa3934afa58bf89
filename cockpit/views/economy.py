"""经济运行 (/economy) as data: year-to-date figures with their growth (累计同比), GDP by quarter,
the month series as the statistics bureau publishes them (January and February together), the
children ranked and mapped.

Every number is a value of the snapshot read through the `Reader`; nothing is computed here. The
economy is counted at province, city and county level only: below a county the page says so
(`cockpit.views.workbench.coverage`) and links to the nearest level that has it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from cockpit.query.reader import Reader
from cockpit.views.screen import _catalogue, _target
from cockpit.views.workbench import (
    Coverage,
    Crumb,
    Headline,
    PageSpec,
    PeriodChoice,
    Place,
    WorkbenchQuery,
    coverage,
    headlines,
    indicator_href,
    page_href,
    period_choice,
    place,
    records_href,
    trend_window,
)

SPEC = PageSpec(path="/economy", lead="retail_sales_ytd_growth", frequencies=("month", "quarter", "year"),
                themes=("economy",))
# The indicator whose periods the period picker lists, by frequency (GDP is quarterly, the
# monthly indicators have no quarter).
LEADS = {"month": "retail_sales_ytd_growth", "quarter": "gdp_ytd", "year": "gdp"}
HEADLINES = {
    "month": ("fixed_asset_investment_ytd", "industrial_value_added_ytd_growth", "retail_sales_ytd_growth",
              "fixed_asset_investment_ytd_growth", "budget_revenue_ytd_growth", "foreign_trade_ytd_growth"),
    "quarter": ("gdp_ytd", "gdp_real_growth", "gdp_nominal_growth", "tertiary_share"),
    "year": ("gdp", "gdp_real_growth", "gdp_per_capita", "tertiary_share"),
}
# The year-to-date table, by frequency: (the period's own value, its year-to-date total or None
# when the bureau publishes only the growth, the year-to-date growth).
YTD_ROWS = {
    "month": (("industrial_value_added", None, "industrial_value_added_ytd_growth"),
              ("fixed_asset_investment", "fixed_asset_investment_ytd", "fixed_asset_investment_ytd_growth"),
              ("retail_sales", None, "retail_sales_ytd_growth"),
              ("budget_revenue", None, "budget_revenue_ytd_growth"),
              ("foreign_trade", None, "foreign_trade_ytd_growth"),
              ("exports", None, "exports_ytd_growth")),
    "quarter": (("gdp", "gdp_ytd", "gdp_nominal_growth"),),
    "year": (("gdp", None, "gdp_real_growth"),),
}
# The series drawn in the trend panel, by frequency (one unit a chart).
TRENDS = {
    "month": ("industrial_value_added_ytd_growth", "retail_sales_ytd_growth", "fixed_asset_investment_ytd_growth"),
    "quarter": ("gdp",),
    "year": ("gdp",),
}
RANKED = {"month": "retail_sales_ytd_growth", "quarter": "gdp_ytd", "year": "gdp"}
ALL_INDICATORS = tuple(sorted({i for group in HEADLINES.values() for i in group}
                              | {i for rows in YTD_ROWS.values() for row in rows for i in row if i}
                              | {i for group in TRENDS.values() for i in group} | set(RANKED.values())))


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _name(meta: dict, lang: str, short: bool = False) -> str:
    if short:
        found = meta.get(f"short_name_{lang}")
        if isinstance(found, str) and found:
            return found
    return str(meta[f"name_{lang}"])


# What an indicator is called on this page when its own name says too much: the GDP of a year is
# the indicator `gdp` (defined by quarter and year) whose name says 当季; the monthly rows are
# named by what is counted, the columns say month, total or growth.
NAMES = {
    ("gdp", "year"): ("地区生产总值（全年）", "GDP (year)"),
    ("industrial_value_added", "month"): ("规上工业增加值", "Industrial value added"),
    ("fixed_asset_investment", "month"): ("固定资产投资", "Fixed-asset investment"),
    ("retail_sales", "month"): ("社会消费品零售总额", "Retail sales"),
    ("budget_revenue", "month"): ("一般公共预算收入", "Budget revenue"),
    ("foreign_trade", "month"): ("进出口总额", "Foreign trade"),
    ("exports", "month"): ("出口额", "Exports"),
}


def display_name(meta: dict, frequency: str, lang: str, short: bool = False) -> str:
    named = NAMES.get((str(meta["indicator"]), frequency))
    if named is not None:
        return named[1] if lang == "en" else named[0]
    return _name(meta, lang, short)


def jan_feb(meta: dict, series: pd.DataFrame | None = None) -> bool:
    """Whether a monthly indicator is published as 1–2月: declared so (`jan_feb_combined`), or, for a
    snapshot whose catalogue does not carry the flag, its month series has Februaries and no January."""
    value = meta.get("jan_feb_combined")
    if value is not None and not pd.isna(value):
        return bool(value)
    if series is None or series.empty:
        return False
    months = series.loc[series["value"].notna(), "period"].astype(str)
    return bool(months.str.endswith("-02").any() and not months.str.endswith("-01").any())


def period_label(period: str, frequency: str, lang: str, combined: bool = False) -> str:
    """A period as the bureau writes a year-to-date figure: 2026年1–10月, 2026年1–2月 (January and
    February together), 2026年1–3季度; a year as itself. `combined`: the indicator is published as 1–2月."""
    if frequency == "month" and len(period) == 7:
        year, month = int(period[:4]), int(period[5:7])
        if lang == "en":
            names = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
            return f"{names[0]}–{names[month - 1]} {year}" if month > 1 else f"Jan {year}"
        return f"{year}年1–{month}月" if month > 1 else f"{year}年1月"
    if frequency == "quarter" and "Q" in period:
        year, quarter = int(period[:4]), int(period[-1])
        if lang == "en":
            return f"Q1–Q{quarter} {year}" if quarter > 1 else f"Q1 {year}"
        return f"{year}年1–{quarter}季度" if quarter > 1 else f"{year}年1季度"
    return period


def _month_tick(period: str, frequency: str, lang: str, combined: bool) -> str:
    """A short axis label: 2026-02 reads 1–2月 for an indicator published with January."""
    if frequency == "month" and combined and period.endswith("-02"):
        return f"{period[:4]}-1/2"  # short, as an axis tick must be: the panel's note says 1–2月
    return period


# -- the page's frame --------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """Where the page looks and when: what every panel of /economy shares."""

    query: WorkbenchQuery
    place: Place
    period: PeriodChoice
    coverage: Coverage | None  # the economy stops above this place's level
    january_alone: bool
    """January was asked for: the year-to-date figures published as 1–2月 have no January of their own."""


def frame(reader: Reader, q: WorkbenchQuery) -> Frame:
    where = place(reader, q.region)
    choice = period_choice(reader, LEADS[q.frequency], q.frequency, q.period)
    # January asked for: the year-to-date figures are published as 1–2月, so it has no values and
    # the newest period is shown; the page says why
    january = q.frequency == "month" and q.period is not None and q.period.endswith("-01") and choice.asked_missing
    return Frame(query=q, place=where, period=choice, coverage=coverage(reader, ALL_INDICATORS, where),
                 january_alone=january)


def page_headlines(reader: Reader, f: Frame) -> tuple[Headline, ...]:
    catalogue = _catalogue(reader)
    lang, freq = reader.viewer.lang, f.query.frequency
    return tuple(replace(h, name=display_name(catalogue[h.indicator], freq, lang))
                 for h in headlines(reader, HEADLINES[freq], f.place, f.query, f.period))


# -- the year-to-date table --------------------------------------------------------------------

@dataclass(frozen=True)
class YtdCell:
    indicator: str
    value: float | None
    unit: str
    decimals: int
    records: str | None  # the rows behind the number (None for a growth rate, a formula of two years)
    link: str  # the indicator's page


@dataclass(frozen=True)
class YtdRow:
    name: str
    current: YtdCell  # the period's own value (当月 / 当季 / 全年)
    total: YtdCell | None  # the year-to-date total, where it is published
    growth: YtdCell  # 累计同比 (the year's growth for a year)
    combined: bool  # published as 1–2月


@dataclass(frozen=True)
class YtdTable:
    frequency: str
    period: str | None
    label: str  # 2026年1–10月: the period the year-to-date figures run to
    rows: tuple[YtdRow, ...]


def ytd_table(reader: Reader, f: Frame) -> YtdTable:
    """The main figures of the chosen period: its own value, the year-to-date total where it is
    published and the year-to-date growth, as the bureau's monthly release lays them out."""
    lang = reader.viewer.lang
    catalogue = _catalogue(reader)
    freq, period, region = f.query.frequency, f.period.chosen, f.place.code

    def cell(indicator: str, with_records: bool) -> YtdCell:
        meta = catalogue[indicator]
        value = value_at_period(reader, indicator, region, freq, period)
        return YtdCell(indicator=indicator, value=value, unit=str(meta["unit"]), decimals=int(meta["decimals"]),
                       records=records_href(indicator, region, freq, period) if with_records and period else None,
                       link=indicator_href(indicator, f.query))

    rows = []
    for current, total, growth in YTD_ROWS[freq]:
        if not all(i in catalogue for i in (current, growth) + ((total,) if total else ())):
            continue
        rows.append(YtdRow(name=display_name(catalogue[current], freq, lang),
                           current=cell(current, True), total=cell(total, True) if total else None,
                           growth=cell(growth, False),
                           combined=freq == "month" and jan_feb(catalogue[growth],
                                                                reader.series(growth, region, freq))))
    label = period_label(period, freq, lang) if period else ""
    return YtdTable(frequency=freq, period=period, label=label, rows=tuple(rows))


def value_at_period(reader: Reader, indicator: str, region: str, frequency: str, period: str | None) -> float | None:
    if period is None:
        return None
    series = reader.series(indicator, region, frequency)
    found = series.loc[series["period"] == period, "value"]
    return _float(found.iloc[0]) if len(found) else None


# -- the trend ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendLine:
    indicator: str
    name: str
    periods: tuple[str, ...]  # axis labels: February reads 1–2月 for an indicator published so
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class TrendView:
    frequency: str
    unit: str
    decimals: int
    lines: tuple[TrendLine, ...]
    target: float | None
    combined_note: bool  # a line is published as 1–2月: January has no point of its own


def trend(reader: Reader, f: Frame) -> TrendView:
    """The last complete periods up to the chosen one: the year-to-date growth by month (January
    absent where it is published with February), GDP by quarter, GDP by year."""
    lang = reader.viewer.lang
    catalogue = _catalogue(reader)
    freq = f.query.frequency
    lines, units, decimals, combined = [], set(), 0, False
    for indicator in TRENDS[freq]:
        meta = catalogue.get(indicator)
        if meta is None:
            continue
        df = reader.series(indicator, f.place.code, freq)
        joined = freq == "month" and jan_feb(meta, df)
        df = df[~df["provisional"] & df["value"].notna()]
        df = trend_window(df, freq, f.period.chosen, f.query.since)
        combined = combined or joined
        lines.append(TrendLine(indicator=indicator, name=display_name(meta, freq, lang, short=True),
                               periods=tuple(_month_tick(p, freq, lang, joined) for p in df["period"]),
                               values=tuple(_float(v) for v in df["value"])))
        units.add(str(meta["unit"]))
        decimals = max(decimals, int(meta["decimals"]))
    target = None
    if len(lines) == 1 and f.period.chosen:
        target = _target(catalogue[lines[0].indicator].get("targets"), f.place.code, int(f.period.chosen[:4]))
    return TrendView(frequency=freq, unit=units.pop() if len(units) == 1 else "", decimals=decimals,
                     lines=tuple(line for line in lines if line.periods), target=target, combined_note=combined)


# -- the children ranked, and their map ---------------------------------------------------------

@dataclass(frozen=True)
class RankedChild:
    code: str
    name: str
    value: float
    rank: int | None
    href: str  # the page one level down, at this child


@dataclass(frozen=True)
class ChildRanking:
    indicator: str
    name: str
    unit: str
    decimals: int
    period: str | None
    level_name: str | None  # the children's level
    rows: tuple[RankedChild, ...]  # best first
    records: str | None  # the rows behind the ranked numbers, at the place
    values: dict[str, float]  # code → value, for the map
    geometry: dict | None  # the children's shapes (None when they have no values)
    notice: str


def child_ranking(reader: Reader, f: Frame) -> ChildRanking:
    """The place's children ranked on the frequency's main indicator in the chosen period."""
    lang = reader.viewer.lang
    indicator = RANKED[f.query.frequency]
    meta = _catalogue(reader)[indicator]
    period = f.period.chosen
    rows = reader.ranking(indicator, f.place.code, f.query.frequency, period) if period else pd.DataFrame()
    if len(rows):
        rows = rows[rows["period"] == period]
    ranked = tuple(RankedChild(code=str(r["region"]), name=str(r["name_en" if lang == "en" else "name"]),
                               value=float(r["value"]),
                               rank=None if pd.isna(r["rank"]) else int(r["rank"]),
                               href=page_href(SPEC, f.query, region=str(r["region"])))
                   for _, r in rows.iterrows()) if len(rows) else ()
    values = {r.code: r.value for r in ranked}
    return ChildRanking(indicator=indicator, name=display_name(meta, f.query.frequency, lang), unit=str(meta["unit"]),
                        decimals=int(meta["decimals"]), period=period, level_name=f.place.child_level_name,
                        rows=ranked,
                        records=records_href(indicator, f.place.code, f.query.frequency, period) if period else None,
                        values=values, geometry=reader.geometry(f.place.code) if ranked else None,
                        notice=reader.geometry_notice())


@dataclass(frozen=True)
class EconomyPage:
    frame: Frame
    headlines: tuple[Headline, ...]
    ytd: YtdTable
    trend: TrendView
    ranking: ChildRanking
    nearest: Crumb | None  # where the economy is counted, when this place is below it


def economy_page(reader: Reader, q: WorkbenchQuery) -> EconomyPage:
    f = frame(reader, q)
    if f.coverage is not None:
        return EconomyPage(frame=f, headlines=(), ytd=YtdTable(q.frequency, f.period.chosen, "", ()),
                           trend=TrendView(q.frequency, "", 1, (), None, False),
                           ranking=ChildRanking(RANKED[q.frequency], "", "", 1, f.period.chosen, None, (), None, {},
                                                None, ""),
                           nearest=f.coverage.nearest)
    return EconomyPage(frame=f, headlines=page_headlines(reader, f), ytd=ytd_table(reader, f), trend=trend(reader, f),
                       ranking=child_ranking(reader, f), nearest=None)
