"""Units of indicators in the reader's language."""

from __future__ import annotations

# Units as English readers write them. Chinese counters (件, 起, 家 …) have no English unit: the
# indicator's name says what is counted. Every unit a definition uses must be here (a test holds it).
UNITS_EN = {
    "": "", "%": "%", "件": "", "起": "", "条": "", "家": "", "台": "", "个": "", "户": "", "次": "", "单": "",
    "批": "batches", "吨": "t", "吨/日": "t/day", "亿元": "100M yuan", "元": "yuan", "分": "pts", "天": "days",
    "倍": "×", "台日": "sensor-days", "站日": "station-days", "μg/m³": "μg/m³", "万人": "10k people",
    "亿千瓦时": "100M kWh", "吨/万元": "t per 10k yuan", "千克/人·日": "kg/person/day",
    "批/百家": "batches per 100 producers", "批/百亿元": "batches per 10B yuan",
    "户次/百亿元": "producer visits per 10B yuan", "件/10万人·年": "per 100k people/year",
    "个/万人": "per 10k people",
}


def unit_label(unit: str | None, lang: str = "zh") -> str:
    """The unit in the reader's language (an unknown unit is shown as written)."""
    unit = unit or ""
    return UNITS_EN.get(unit, unit) if lang == "en" else unit
