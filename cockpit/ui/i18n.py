"""Interface strings in Simplified Chinese (the default) and English.

One table of strings for the whole interface: pages ask `t(key, lang)`. The language is chosen by
the user with the switch in the navigation bar, kept in a cookie, and may be forced for one page
with `?lang=en` (handy for links and screenshots).
"""

from __future__ import annotations

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
COOKIE = "cockpit_lang"

STRINGS: dict[str, dict[str, str]] = {
    "app.title": {"zh": "城市数字驾驶舱", "en": "City Digital Cockpit"},
    "app.subtitle": {"zh": "浙江省", "en": "Zhejiang"},
    "lang.switch": {"zh": "EN", "en": "中文"},
    "lang.switch.title": {"zh": "Switch to English", "en": "切换到中文"},
    "demo.badge": {"zh": "演示数据", "en": "Demo data"},
    "demo.banner": {
        "zh": "当前展示的是系统生成的演示数据（种子 {seed}，规模 {scale}，截至 {end}），不代表任何真实情况。",
        "en": "You are looking at generated demo data (seed {seed}, scale {scale}, up to {end}); it describes no real place.",
    },
    "nav.home": {"zh": "首页", "en": "Home"},
    "home.title": {"zh": "数据资源概览", "en": "Data overview"},
    "home.lead": {
        "zh": "驾驶舱接入的四类数据源、各表记录数与最新数据时间。数据按声明的契约校验后入湖。",
        "en": "The four feed families the cockpit reads, with each table's rows and latest data time. Every row is checked against its declared contract before it enters the lake.",
    },
    "home.kpi.tables": {"zh": "数据表", "en": "Tables"},
    "home.kpi.rows": {"zh": "记录总数", "en": "Rows"},
    "home.kpi.latest": {"zh": "最新数据", "en": "Latest data"},
    "home.kpi.quarantined": {"zh": "隔离记录", "en": "Quarantined rows"},
    "home.kpi.regions": {"zh": "行政区划", "en": "Regions"},
    "home.col.table": {"zh": "数据表", "en": "Table"},
    "home.col.rows": {"zh": "记录数", "en": "Rows"},
    "home.col.latest": {"zh": "最新数据时间", "en": "Latest data"},
    "home.col.quarantined": {"zh": "隔离", "en": "Quarantined"},
    "home.col.files": {"zh": "文件", "en": "Files"},
    "home.empty": {
        "zh": "数据湖为空。运行 `cockpit demo` 生成演示数据，或用 `cockpit ingest <数据表> <文件>` 导入数据。",
        "en": "The lake is empty. Run `cockpit demo` for demo data, or `cockpit ingest <feed> <file>` to load yours.",
    },
    "home.no_time": {"zh": "—", "en": "—"},
    "home.regions.caption": {"zh": "区划层级：{levels}", "en": "Region levels: {levels}"},
    "home.regions.level": {"zh": "{level} {n}", "en": "{level} {n}"},
    "level.province": {"zh": "省", "en": "province"},
    "level.city": {"zh": "市", "en": "city"},
    "level.county": {"zh": "区县", "en": "county"},
    "level.street": {"zh": "街镇", "en": "street"},
    "level.community": {"zh": "村社", "en": "community"},
    "level.grid": {"zh": "网格", "en": "grid"},
    "home.geo.caption": {"zh": "地图边界说明", "en": "About the map boundaries"},
    "home.last_ingest": {"zh": "最近一次入湖：{table}，{time}，载入 {loaded} 条", "en": "Last ingest: {table} at {time}, {loaded} rows loaded"},
    "home.systems.title": {"zh": "指标体系", "en": "Indicator systems"},
    "home.systems.lead": {
        "zh": "各指标体系的核心指标（全省，最新一期）。每个数字都由指标引擎依据定义文件计算。",
        "en": "The headline indicators of each system (whole province, latest period), computed by the indicator engine from the definition files.",
    },
    "home.systems.none": {
        "zh": "尚未发布指标快照。运行 `cockpit refresh` 计算全部指标。",
        "en": "No indicator snapshot has been published yet. Run `cockpit refresh` to compute the indicators.",
    },
    "home.systems.no_themes": {
        "zh": "您所在部门没有可查看的指标主题，因此不显示任何指标；如需查看，请联系管理员。",
        "en": "Your department has no indicator themes to see, so no indicator is shown; ask an administrator if you need them.",
    },
    "home.systems.count": {"zh": "{n} 项指标", "en": "{n} indicators"},
    "home.snapshot": {"zh": "指标快照 {id}，生成于 {time}", "en": "Indicator snapshot {id}, made {time}"},
    "value.provisional": {"zh": "初步", "en": "provisional"},
    "value.leader": {"zh": "{name}（第1名 {leader}）", "en": "{name} (first: {leader})"},
    "value.previous": {"zh": "上期 {value}", "en": "previous {value}"},
    "nav.waste_free": {"zh": "无废指数", "en": "Waste-Free Index"},
    "index.title": {"zh": "无废指数", "en": "Waste-Free Index"},
    "index.lead": {
        "zh": "浙江省11个设区市无废城市建设成效评价：9个一级指标、27个二级指标，按月、按年排名。点击条形图查看某市的分项得分与变化原因。",
        "en": "How far each of Zhejiang's 11 cities has come towards a waste-free city: 9 dimensions, 27 indicators, ranked monthly and yearly. Click a bar for a city's dimension scores and what moved it.",
    },
    "index.frequency": {"zh": "周期", "en": "Period type"},
    "index.period": {"zh": "期别", "en": "Period"},
    "index.month": {"zh": "月度", "en": "Monthly"},
    "index.year": {"zh": "年度", "en": "Yearly"},
    "index.ranking": {"zh": "设区市排名", "en": "Ranking of the cities"},
    "index.detail": {"zh": "{name} 指数构成", "en": "{name}: what the index is made of"},
    "index.score": {"zh": "指数得分", "en": "Index score"},
    "index.rank": {"zh": "全省排名", "en": "Rank"},
    "index.dimensions": {"zh": "一级指标得分", "en": "Dimension scores"},
    "index.indicators": {"zh": "二级指标", "en": "Indicators"},
    "index.col.rank": {"zh": "排名", "en": "Rank"},
    "index.col.region": {"zh": "地区", "en": "Region"},
    "index.col.score": {"zh": "得分", "en": "Score"},
    "index.col.move": {"zh": "较上期", "en": "Move"},
    "index.col.indicator": {"zh": "指标", "en": "Indicator"},
    "index.col.value": {"zh": "数值 / 权重", "en": "Value / weight"},
    "index.no_values": {"zh": "该期无指数数据。", "en": "No index values for this period."},
    "screen.no_values": {"zh": "本级暂无该项数据", "en": "No values at this level"},
    "index.no_previous": {"zh": "无上期数据可比较。", "en": "No previous period to compare with."},
    "screen.city_operation": {"zh": "城市运行态势", "en": " city operation"},
    "screen.theme.overview": {"zh": "总体态势", "en": "Overview"},
    "screen.updated": {"zh": "数据更新于 {time}", "en": "Data as of {time}"},
    "screen.back": {"zh": "返回上级", "en": "Up one level"},
    "screen.index_leader": {"zh": "{name}·首位", "en": "{name}: first"},
    "screen.points": {"zh": "个百分点", "en": " pts"},
    "screen.economy": {"zh": "经济运行", "en": "Economy"},
    "screen.ytd_growth": {"zh": "累计增速 %", "en": "Year-to-date growth, %"},
    "screen.period": {"zh": "{period}", "en": "{period}"},
    "screen.late": {"zh": "数据滞后 · 截至{date}", "en": "Late · data to {date}"},
    "screen.failed": {"zh": "计算失败 · 沿用{date}结果", "en": "Failed · showing values of {date}"},
    "screen.failed_no_values": {"zh": "计算失败 · 暂无结果", "en": "Failed · no values yet"},
    "screen.index_dimensions": {"zh": "{name} 无废指数一级指标", "en": "{name}: Waste-Free Index dimensions"},
    "screen.hotline_funnel": {"zh": "12345 办理漏斗", "en": "12345 handling funnel"},
    "screen.hot_topics": {"zh": "12345 热点诉求", "en": "12345 hot topics"},
    "screen.environment": {"zh": "生态环境", "en": "Environment"},
    "screen.today": {"zh": "今日关注", "en": "Watch today"},
    "screen.no_alerts": {"zh": "当前无预警", "en": "No alerts"},
    "screen.map": {"zh": "{name} 无废指数分布", "en": "{name}: Waste-Free Index by region"},
    "funnel.received": {"zh": "受理", "en": "Accepted"},
    "funnel.dispatched": {"zh": "派单", "en": "Dispatched"},
    "funnel.fed_back": {"zh": "反馈", "en": "Fed back"},
    "funnel.closed": {"zh": "办结", "en": "Closed"},
    "funnel.satisfied": {"zh": "满意", "en": "Satisfied"},
    "screen.theme.economy": {"zh": "经济运行", "en": "Economy"},
    "screen.theme.governance": {"zh": "城市治理", "en": "City governance"},
    "screen.theme.environment": {"zh": "生态环境", "en": "Environment"},
    "screen.theme.waste_free": {"zh": "无废城市", "en": "Waste-free city"},
    "screen.theme.infrastructure": {"zh": "基础设施与数字政府", "en": "Infrastructure and digital government"},
    "screen.map_of": {"zh": "{name} · {indicator}", "en": "{name}: {indicator}"},
    "screen.ranking_of": {"zh": "{indicator} 排名", "en": "Ranking: {indicator}"},
    "screen.gdp_growth": {"zh": "地区生产总值增速", "en": "GDP growth"},
    "screen.trade_revenue": {"zh": "出口与财政收入", "en": "Exports and budget revenue"},
    "screen.hotline_rates": {"zh": "12345 满意率与按时反馈率", "en": "12345 satisfaction and on-time feedback"},
    "screen.services": {"zh": "一网通办", "en": "One-stop services"},
    "screen.air": {"zh": "大气污染物浓度", "en": "Air pollutants"},
    "screen.air_years": {"zh": "优良天数比例（年度）", "en": "Good-air days (yearly)"},
    "screen.sensors": {"zh": "物联感知在线率", "en": "Sensor online rate"},
    "screen.cloud": {"zh": "政务云资源使用率", "en": "Government cloud utilisation"},
    "screen.security": {"zh": "网络安全事件", "en": "Security events"},
    "screen.carousel_paused": {"zh": "轮播已暂停", "en": "Carousel paused"},
    "error.title": {"zh": "页面出错", "en": "Something went wrong"},
    "notfound.title": {"zh": "页面不存在", "en": "Page not found"},
    "notfound.lead": {"zh": "这个地址没有对应的页面。", "en": "There is no page at this address."},
    "notfound.back": {"zh": "返回首页", "en": "Back to the home page"},
    "snapshot.fallback": {
        "zh": "快照损坏，显示 {time} 的上一版本",
        "en": "Snapshot damaged: showing the previous version, made {time}",
    },
}


def _merge_areas() -> None:
    """Add the strings of every area (`cockpit/ui/strings/`) to the table; a key defined twice is a bug."""
    from cockpit.ui.strings import area_strings

    for area, strings in area_strings():
        twice = sorted(set(strings) & set(STRINGS))
        if twice:
            raise RuntimeError(f"strings defined twice (cockpit/ui/strings/{area}.py and elsewhere): {', '.join(twice)}")
        for key, entry in strings.items():
            if set(entry) != set(LANGS):
                raise RuntimeError(f"cockpit/ui/strings/{area}.py: {key!r} needs exactly {', '.join(LANGS)}")
        STRINGS.update(strings)


_merge_areas()


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The string for `key` in `lang`, with `{name}` placeholders filled from `values`."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**values) if values else text


def normalise_lang(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def current_lang(override: str | None = None) -> str:
    """The language of the request being served: `?lang=` first, then the cookie, then Chinese."""
    if override in LANGS:
        return override  # type: ignore[return-value]
    from flask import g, has_request_context, request

    if has_request_context():
        return normalise_lang(g.get("lang_override") or request.cookies.get(COOKIE))
    return DEFAULT_LANG


def install_lang_override(server) -> None:
    """Let `?lang=en` on any page URL choose the language, and remember it in the cookie."""
    from flask import g, request

    @server.before_request
    def _take_lang_from_query() -> None:
        lang = request.args.get("lang")
        if lang in LANGS:
            g.lang_override = lang

    @server.after_request
    def _remember_lang(response):
        lang = g.get("lang_override")
        if lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response


def in_language(frame, lang: str, column: str = "name"):
    """A query result with `column` in the reader's language: in English, its `<column>_en`
    companion (region names, categories) takes its place."""
    english = f"{column}_en"
    return frame.assign(**{column: frame[english]}) if lang == "en" and english in frame else frame
