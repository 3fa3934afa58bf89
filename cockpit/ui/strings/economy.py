"""Strings of 经济运行 (/economy)."""

STRINGS = {
    "economy.nav": {"zh": "经济运行", "en": "Economy"},
    "economy.title": {"zh": "经济运行", "en": "Economic operation"},
    "economy.lead": {
        "zh": "本地区经济运行怎么样：累计值与累计同比、分季度地区生产总值、下级地区排名与分布（省、市、区县三级统计）。",
        "en": "How the economy is doing: year-to-date figures and their growth, GDP by quarter, and the regions below ranked "
              "and mapped (counted for the province, cities and counties).",
    },
    "economy.ytd.title": {"zh": "主要指标（{label}）", "en": "Main figures ({label})"},
    "economy.ytd.name": {"zh": "指标", "en": "Indicator"},
    "economy.ytd.current.month": {"zh": "当月", "en": "Month"},
    "economy.ytd.current.quarter": {"zh": "当季", "en": "Quarter"},
    "economy.ytd.current.year": {"zh": "全年", "en": "Year"},
    "economy.ytd.total": {"zh": "累计", "en": "Year to date"},
    "economy.ytd.growth.month": {"zh": "累计同比", "en": "YTD growth"},
    "economy.ytd.growth.quarter": {"zh": "累计名义增速", "en": "YTD nominal growth"},
    "economy.ytd.growth.year": {"zh": "可比价增速", "en": "Real growth"},
    "economy.ytd.not_published": {"zh": "不单独发布", "en": "not published"},
    "economy.ytd.footer": {
        "zh": "点击数值查看构成它的明细记录；累计增速为与上年同期累计值相比。",
        "en": "Click a number for the records behind it; growth compares the year to date with the same months a year before.",
    },
    "economy.january": {
        "zh": "1月数据与2月合并发布（1–2月），1月无单独的累计增速，请查看2月。",
        "en": "January is published together with February (Jan–Feb): it has no year-to-date growth of its own; see February.",
    },
    "economy.trend.title.month": {"zh": "累计增速走势（按月）", "en": "Year-to-date growth by month"},
    "economy.trend.title.quarter": {"zh": "地区生产总值（分季度）", "en": "GDP by quarter"},
    "economy.trend.title.year": {"zh": "地区生产总值（分年度）", "en": "GDP by year"},
    "economy.trend.combined": {
        "zh": "按统计惯例1月、2月合并发布，走势中无1月数据点，2月标注为“1–2月”。",
        "en": "January and February are published together: the series has no January point; February reads Jan/Feb.",
    },
    "economy.trend.empty": {"zh": "所选时间之前没有可比的完整期数据。", "en": "No complete periods up to the one chosen."},
    "economy.ranking.title": {"zh": "{level}排名：{name}（{period}）", "en": "{level} ranked: {name} ({period})"},
    "economy.ranking.hint": {"zh": "点击条形下钻到该地区", "en": "Click a bar to drill into that region"},
    "economy.ranking.none": {
        "zh": "{level}不统计经济指标：本页数据统计到区县一级。",
        "en": "The economy is not counted for each {level}: this page's figures stop at county level.",
    },
    "economy.ranking.records": {"zh": "明细记录", "en": "Records"},
    "economy.map.title": {"zh": "分布地图：{name}", "en": "Map: {name}"},
    "economy.map.hint": {"zh": "点击地图区域下钻", "en": "Click a region to drill down"},
}
