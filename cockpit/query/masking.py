"""Masking personal data: the one place that decides what a viewer not allowed personal data sees.

A contract marks a column `personal: name|phone|id_number|address|free_text`
(`cockpit.feeds.contracts.PERSONAL_KINDS`). The reader passes every frame of records it returns
(pages, streams, exports) through `mask_frame` unless the viewer may see personal data:

- name: the first character, then one `*` a character (张三丰 → 张**);
- phone: the first 3 and last 4 characters, `*` between (13812341234 → 138****1234);
- id_number: the first 3 and last 4 characters, `*` between (330***********1234 for 18);
- address: up to the street (乡镇/街道) name; without one, the first 6 characters and `***`;
- free_text: not shown at all (HIDDEN_TEXT in the viewer's language).

Empty values stay empty. Masking is deterministic, so equal values stay equal once masked, but a
masked value never carries more than the characters kept above.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

HIDDEN_TEXT = {"zh": "（已隐藏）", "en": "(hidden)"}

# An address as written in China: province, city and county (any of them may be left out), then
# the street: 街道, 镇 or 乡. The county part is matched before the street, so a county named
# with one of those characters (镇海区) is not taken for a street. One regular expression, run
# over a whole column at once (pyarrow's RE2: no lookaround, leftmost-first like Python's).
ADDRESS_TO_STREET = (r"^((?:[^省]{2,7}?(?:省|自治区))?(?:[^市]{2,9}?(?:市|自治州|地区|盟))?"
                     r"(?:[^区县市旗]{1,9}?(?:区|县|市|旗))?.{1,12}?(?:街道|镇|乡))")
KINDS = ("name", "phone", "id_number", "address", "free_text")


def _stars(values: pd.Series) -> pd.Series:
    """One `*` a character of each value (looked up by length: far cheaper than a regex per character)."""
    lengths = values.str.len().to_numpy(dtype=np.int64)
    table = np.array(["*" * n for n in range(int(lengths.max(initial=0)) + 1)], dtype=object)
    return pd.Series(table[lengths], index=values.index, dtype="str")


def _first_kept(values: pd.Series) -> pd.Series:
    return values.str.slice(0, 1) + _stars(values.str.slice(1))


def _ends_kept(values: pd.Series) -> pd.Series:
    """The first 3 and last 4 characters kept; a value too short for both keeps its first only."""
    long = values.str.len() >= 8
    kept = values.str.slice(0, 3) + _stars(values.str.slice(3, -4)) + values.str.slice(-4)
    return kept.where(long, _first_kept(values))


def _to_street(values: pd.Series) -> pd.Series:
    street = values.str.extract(ADDRESS_TO_STREET, expand=False)
    fallback = (values.str.slice(0, 6) + "***").where(values.str.len() > 6, values.str.slice(0, 1) + "***")
    return street.where(street.notna(), fallback)


def mask_series(kind: str, values: pd.Series, lang: str = "zh") -> pd.Series:
    """A column as a masked viewer sees it, computed over the whole column at once; empty values
    stay empty."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of personal data {kind!r}")
    present = values.notna()
    if not present.any():
        return values
    text = values[present].astype("str")
    if kind == "free_text":
        masked = pd.Series(HIDDEN_TEXT.get(lang, HIDDEN_TEXT["zh"]), index=text.index, dtype="str")
    elif kind == "name":
        masked = _first_kept(text)
    elif kind in ("phone", "id_number"):
        masked = _ends_kept(text)
    else:
        masked = _to_street(text)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    out[present] = masked
    return out


def mask_value(kind: str, value: object, lang: str = "zh") -> object:
    """One value of a personal column as a masked viewer sees it (None and NA stay as they are):
    the column rule applied to one value, so a value and its column always agree."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    return mask_series(kind, pd.Series([str(value)], dtype="str"), lang).iloc[0]


def mask_name(value: str) -> str:
    return str(mask_value("name", value))


def mask_phone(value: str) -> str:
    return str(mask_value("phone", value))


def mask_id_number(value: str) -> str:
    return str(mask_value("id_number", value))


def mask_address(value: str) -> str:
    return str(mask_value("address", value))


def mask_frame(frame: pd.DataFrame, personal: Mapping[str, str], lang: str = "zh") -> pd.DataFrame:
    """The frame with each personal column present in it masked (a copy; the input is unchanged)."""
    present = [c for c in personal if c in frame.columns]
    if not present:
        return frame
    out = frame.copy()
    for column in present:
        out[column] = mask_series(personal[column], out[column], lang)
    return out
