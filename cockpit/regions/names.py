"""English names of Chinese regions: Hanyu Pinyin of the proper name plus the English for the
administrative suffix (杭州市 → Hangzhou, 淳安县 → Chun'an County, 湖头街道 → Hutou Subdistrict).

`english_name` is used when region files are written (scripts/build_reference_regions.py, the
demo's generated levels), never when the app runs: the files carry a `name_en` column, which a
deployment may fill with its official English names instead. It needs `pypinyin` (a development
dependency); `short_english` does not.
"""

from __future__ import annotations

import re

# Longest first; a prefecture- or county-level city (市) and the province drop the suffix in
# English, as they are written (Hangzhou, Yiwu, Zhejiang).
SUFFIXES = [("畲族自治县", " She Autonomous County"), ("自治县", " Autonomous County"), ("街道", " Subdistrict"),
            ("社区", " Community"), ("省", ""), ("市", ""), ("区", " District"), ("县", " County"), ("镇", " Town"),
            ("乡", " Township"), ("村", " Village")]
GRID = re.compile(r"^第(\d+)网格$")


def english_name(name: str) -> str:
    grid = GRID.match(name)
    if grid:
        return f"Grid {grid.group(1)}"
    stem, suffix = name, ""
    for zh, en in SUFFIXES:
        if name.endswith(zh) and len(name) > len(zh):
            stem, suffix = name[: -len(zh)], en
            break
    return _pinyin(stem) + suffix


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    syllables = lazy_pinyin(text)
    out = syllables[0]
    for s in syllables[1:]:  # Xi'an, Chun'an: an apostrophe before a syllable starting with a vowel
        out += ("'" if s[:1] in ("a", "e", "o") else "") + s
    return out[:1].upper() + out[1:]


def short_english(name_en: str) -> str:
    """The English name without its administrative word, for labels on a map where space is
    short: Gongshu District → Gongshu, Chun'an County → Chun'an (Grid 3 stays Grid 3)."""
    for _, suffix in SUFFIXES:
        if suffix and name_en.endswith(suffix) and len(name_en) > len(suffix):
            return name_en[: -len(suffix)]
    return name_en
