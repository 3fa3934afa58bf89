"""The home page as data: each indicator system's headline values at the viewer's region, the
feeds the lake holds, the regions, and where the numbers come from."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cockpit.query.reader import Provenance, Reader


@dataclass(frozen=True)
class Headline:
    indicator: str
    name: str
    leader: str | None
    """For an indicator not defined at the region itself (an index that ranks its cities): the
    first of the region's children, whose value is shown; None otherwise."""
    value: float | None
    previous_value: float | None
    period: str | None
    provisional: bool
    unit: str
    decimals: int
    polarity: str


@dataclass(frozen=True)
class SystemHeadlines:
    system: str
    name: str
    indicator_count: int
    headlines: tuple[Headline, ...]


@dataclass(frozen=True)
class Feed:
    table: str
    label: str
    rows: int
    latest: pd.Timestamp | None
    time_type: str | None
    """The contract type of the feed's time column: the precision its latest time is shown at."""
    quarantined: int


@dataclass(frozen=True)
class FeedFamily:
    family: str
    label: str
    feeds: tuple[Feed, ...]


@dataclass(frozen=True)
class Ingest:
    table: str
    time: str
    """As the ingest log wrote it (ISO 8601, local wall-clock time)."""
    loaded: int


@dataclass(frozen=True)
class FeedOverview:
    families: tuple[FeedFamily, ...]
    tables: int
    tables_loaded: int
    rows: int
    latest: pd.Timestamp | None
    """The newest data time of any feed."""
    quarantined: int
    last_ingest: Ingest | None


@dataclass(frozen=True)
class RegionOverview:
    levels: tuple[tuple[str, int], ...]
    """How many regions each level of the viewer's subtree holds, top level first."""
    total: int
    map_notice: str
    """What the map boundaries are ("" when nothing needs saying)."""


@dataclass(frozen=True)
class HomeView:
    provenance: Provenance
    systems: tuple[SystemHeadlines, ...]
    feeds: FeedOverview
    regions: RegionOverview


def home_view(reader: Reader) -> HomeView:
    return HomeView(provenance=reader.provenance(), systems=system_headlines(reader), feeds=feed_overview(reader),
                    regions=region_overview(reader))


def system_headlines(reader: Reader, region: str | None = None) -> tuple[SystemHeadlines, ...]:
    """Each system the viewer may see, with its headline indicators' latest complete values at
    `region` (default: the viewer's own)."""
    en = reader.viewer.lang == "en"
    found = reader.headlines(region or reader.root)
    systems = []
    for _, system in reader.systems().iterrows():
        rows = found[found["system"] == system["system"]] if len(found) else found
        systems.append(SystemHeadlines(
            system=system["system"], name=str(system["name_en" if en else "name_zh"]),
            indicator_count=int(system["indicators"]),
            headlines=tuple(Headline(
                indicator=r["indicator"], name=str(r["name_en" if en else "name_zh"]),
                leader=_text(r["leader_en" if en else "leader"]), value=_number(r["value"]),
                previous_value=_number(r["previous_value"]), period=_text(r["period"]),
                provisional=bool(r["provisional"]) if pd.notna(r["provisional"]) else False, unit=r["unit"], decimals=int(r["decimals"]),
                polarity=r["polarity"]) for _, r in rows.iterrows())))
    return tuple(systems)


def feed_overview(reader: Reader) -> FeedOverview:
    """The feeds by family, in contract order, with what the lake holds of each."""
    en = reader.viewer.lang == "en"
    status = reader.feed_status()
    families = tuple(
        FeedFamily(family=family, label=str(rows[f"family_{'en' if en else 'zh'}"].iloc[0]), feeds=tuple(
            Feed(table=r["table"], label=str(r[f"label_{'en' if en else 'zh'}"]), rows=int(r["rows"]),
                 latest=None if pd.isna(r["latest"]) else pd.Timestamp(r["latest"]), time_type=_text(r["time_type"]),
                 quarantined=int(r["quarantined"])) for _, r in rows.iterrows()))
        for family, rows in status.groupby("family", sort=False))
    latest = status["latest"].dropna()
    ingest = reader.last_ingest()
    return FeedOverview(
        families=families, tables=len(status), tables_loaded=int((status["rows"] > 0).sum()),
        rows=int(status["rows"].sum()), latest=pd.Timestamp(latest.max()) if len(latest) else None,
        quarantined=int(status["quarantined"].sum()),
        last_ingest=None if not ingest else Ingest(table=str(ingest.get("table", "")), time=str(ingest.get("time", "")),
                                                   loaded=int(ingest.get("loaded", 0))))


def region_overview(reader: Reader) -> RegionOverview:
    counts = reader.level_counts()
    return RegionOverview(levels=tuple(counts.items()), total=sum(counts.values()), map_notice=reader.geometry_notice())


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
