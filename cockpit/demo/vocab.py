"""Vocabularies and calibration figures for the demo generator (`cockpit.demo.generate`).

Data only. Real-world figures are rounded public statistics, good enough to make the demo
plausible; they are not a source for anything else. Catalogues (hotline categories, service
items, waste codes …) are modelled on what Zhejiang's systems use, trimmed to a demo's size.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

# -- calibration: cities and counties ----------------------------------------------------------


class CityProfile(NamedTuple):
    gdp: float  # 亿元, 2024, approximate
    population: float  # 万人, year-end 2024, approximate
    population_growth: float  # a year
    pm25: float  # μg/m³ annual mean around 2024; the mountains and the islands are cleaner
    no2: float  # μg/m³ annual mean


REFERENCE_YEAR = 2024

CITIES: dict[str, CityProfile] = {
    "330100": CityProfile(21860, 1262, 0.013, 30, 34),  # 杭州
    "330200": CityProfile(18148, 970, 0.008, 24, 32),  # 宁波
    "330300": CityProfile(9719, 976, 0.003, 24, 28),  # 温州
    "330400": CityProfile(7570, 561, 0.007, 29, 30),  # 嘉兴
    "330500": CityProfile(4207, 345, 0.005, 29, 29),  # 湖州
    "330600": CityProfile(8369, 538, 0.004, 29, 30),  # 绍兴
    "330700": CityProfile(6458, 720, 0.008, 29, 28),  # 金华
    "330800": CityProfile(2151, 229, -0.002, 22, 22),  # 衢州
    "330900": CityProfile(2150, 117, 0.001, 17, 17),  # 舟山
    "331000": CityProfile(6750, 668, 0.002, 23, 24),  # 台州
    "331100": CityProfile(2025, 251, -0.002, 20, 18),  # 丽水
}

# Resident population by county (万人, 7th census 2020, rounded). Only the proportions within a
# city are used: the city totals above set the level.
COUNTY_POPULATION: dict[str, float] = {
    "330102": 132.5, "330105": 111.8, "330106": 114.9, "330108": 50.4, "330109": 201.1,
    "330110": 122.6, "330111": 83.5, "330112": 63.5, "330113": 117.5, "330114": 76.9,
    "330122": 45.5, "330127": 32.9, "330182": 44.3,
    "330203": 104.0, "330205": 49.0, "330206": 82.5, "330211": 50.5, "330212": 161.3,
    "330213": 57.8, "330225": 57.0, "330226": 69.6, "330281": 125.4, "330282": 182.9,
    "330302": 128.5, "330303": 83.8, "330304": 96.3, "330305": 15.3, "330324": 86.9,
    "330326": 86.3, "330327": 84.4, "330328": 28.9, "330329": 26.6, "330381": 152.0,
    "330382": 142.0, "330383": 46.5,
    "330402": 64.0, "330411": 68.0, "330421": 65.0, "330424": 44.0, "330481": 107.6,
    "330482": 68.2, "330483": 102.9,
    "330502": 80.0, "330503": 54.0, "330521": 55.0, "330522": 67.6, "330523": 58.6,
    "330602": 100.0, "330603": 109.0, "330604": 82.5, "330624": 43.5, "330681": 121.8,
    "330683": 67.5,
    "330702": 97.0, "330703": 50.0, "330723": 46.0, "330726": 46.0, "330727": 18.0,
    "330781": 57.5, "330782": 185.9, "330783": 108.9, "330784": 96.4,
    "330802": 45.0, "330803": 40.0, "330822": 26.0, "330824": 25.0, "330825": 36.0,
    "330881": 50.0,
    "330902": 56.0, "330903": 38.0, "330921": 20.0, "330922": 7.0,
    "331002": 63.0, "331003": 69.0, "331004": 60.0, "331022": 36.0, "331023": 44.0,
    "331024": 45.0, "331081": 140.0, "331082": 114.0, "331083": 64.0,
    "331102": 58.0, "331121": 50.0, "331122": 41.0, "331123": 19.0, "331124": 20.0,
    "331125": 13.0, "331126": 14.0, "331127": 11.0, "331181": 25.0,
}

# Output per resident relative to the city's average, where a county is far from it: the digital
# economy of 滨江 and 余杭, the ports and petrochemicals of 北仑 and 镇海.
PRODUCTIVITY: dict[str, float] = {
    "330108": 3.0, "330110": 2.0, "330114": 1.5, "330102": 1.4, "330106": 1.2, "330109": 1.2,
    "330206": 2.0, "330211": 1.8, "330212": 1.4, "330203": 1.2, "330921": 1.8, "330604": 1.2,
}

# Foreign trade relative to GDP (义乌's small commodities, the Ningbo-Zhoushan port), and the
# share of it that is imports where crude oil and ore come in.
TRADE_INTENSITY: dict[str, float] = {
    "330782": 5.0, "330206": 3.0, "330211": 2.5, "330921": 2.5, "330282": 1.6, "330212": 1.5,
    "330902": 1.5, "330784": 1.5, "330281": 1.4, "330482": 1.3, "331083": 1.3, "330381": 1.2,
    "331081": 1.2,
}
IMPORT_SHARE: dict[str, float] = {"330211": 0.6, "330921": 0.8, "330206": 0.4, "330902": 0.45}
DEFAULT_IMPORT_SHARE = 0.27


class MonthlyIndicator(NamedTuple):
    total: float  # province, 2024, in the column's unit
    growth: float  # nominal, a year
    season: tuple[float, ...]  # relative level of each calendar month
    spring_festival_dip: float  # share of activity lost on Spring Festival holiday days


# Province totals for 2024 (亿元, 户, 亿千瓦时), rounded.
MONTHLY_INDICATORS: dict[str, MonthlyIndicator] = {
    "industrial_value_added": MonthlyIndicator(
        23500, 0.06, (0.9, 0.8, 1.0, 1.0, 1.0, 1.05, 1.0, 1.0, 1.05, 1.0, 1.05, 1.15), 0.55),
    "fixed_asset_investment": MonthlyIndicator(
        42000, 0.03, (0.55, 0.55, 0.95, 1.0, 1.05, 1.35, 0.95, 0.95, 1.2, 0.95, 1.0, 1.4), 0.7),
    "retail_sales": MonthlyIndicator(
        34500, 0.045, (1.05, 0.95, 0.95, 0.95, 1.0, 1.05, 0.95, 0.95, 1.0, 1.05, 1.1, 1.15), -0.1),
    # January carries the settlement of the previous year's taxes.
    "budget_revenue": MonthlyIndicator(
        8800, 0.025, (1.45, 0.75, 0.85, 1.2, 1.1, 0.95, 1.0, 0.75, 0.85, 1.1, 0.9, 1.0), 0.0),
    "imports": MonthlyIndicator(
        14200, 0.02, (1.0, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1), 0.3),
    "exports": MonthlyIndicator(
        38900, 0.06, (1.0, 0.75, 0.95, 1.0, 1.0, 1.05, 1.05, 1.05, 1.05, 1.0, 1.05, 1.1), 0.45),
    "new_market_entities": MonthlyIndicator(
        1_500_000, 0.02, (0.9, 0.6, 1.25, 1.1, 1.05, 1.05, 1.0, 1.0, 1.0, 0.9, 1.05, 1.0), 0.6),
    # Air conditioning in July and August.
    "electricity_consumption": MonthlyIndicator(
        6700, 0.07, (1.0, 0.8, 0.9, 0.85, 0.9, 1.0, 1.25, 1.3, 1.05, 0.9, 0.95, 1.1), 0.35),
}

GDP_GROWTH = 0.05  # nominal; real growth is a little higher while prices fall
GDP_DEFLATOR = -0.005
QUARTER_SHARE = (0.225, 0.245, 0.245, 0.285)

# Spring Festival (正月初一). The holiday week and the slow restart after it depress production,
# service counters and the hotline.
SPRING_FESTIVAL: dict[int, date] = {
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
    2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}

# Relative level by calendar month (January first) of seasonal topics.
SEASONS: dict[str, tuple[float, ...]] = {
    "flat": (1,) * 12,
    "summer": (0.7, 0.7, 0.8, 0.9, 1.0, 1.3, 1.6, 1.6, 1.3, 1.0, 0.8, 0.7),
    "flood": (0.2, 0.2, 0.4, 0.6, 0.9, 1.8, 2.0, 2.2, 1.8, 0.6, 0.3, 0.2),
    "wage": (2.0, 1.3, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.8, 0.9, 1.3, 2.2),  # before Spring Festival
    "enrol": (0.6, 0.8, 0.9, 1.0, 1.3, 1.8, 1.8, 1.5, 0.9, 0.7, 0.6, 0.6),
    "dry": (1.8, 1.8, 1.6, 1.4, 0.6, 0.4, 0.4, 0.4, 0.6, 1.0, 1.4, 1.8),  # forest fire season
    "harvest": (0.5, 0.5, 0.5, 0.8, 1.8, 2.2, 0.8, 0.6, 0.8, 1.8, 2.0, 0.8),
}

# -- departments -------------------------------------------------------------------------------
# (prefix, suffix) around a county's name: 西湖区 + 住建局, 国网 + 西湖区 + 供电公司.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "住建": ("", "住建局"),
    "执法": ("", "综合行政执法局"),
    "生态": ("", "生态环境分局"),
    "公安": ("", "公安分局"),
    "人社": ("", "人力社保局"),
    "市监": ("", "市场监管局"),
    "交通": ("", "交通运输局"),
    "卫健": ("", "卫生健康局"),
    "医保": ("", "医疗保障局"),
    "教育": ("", "教育局"),
    "民政": ("", "民政局"),
    "农业": ("", "农业农村局"),
    "不动产": ("", "不动产登记服务中心"),
    "公积金": ("", "住房公积金管理中心"),
    "残联": ("", "残疾人联合会"),
    "政务": ("", "政务服务中心"),
    "供电": ("国网", "供电公司"),
    "水务": ("", "水务集团"),
    "燃气": ("", "燃气公司"),
}

# -- 12345 hotline -------------------------------------------------------------------------------


class HotlineCategory(NamedTuple):
    l1: str
    l2: str
    l3: str
    weight: float  # share of orders, in percent
    department: str  # key of DEPARTMENTS
    season: str  # key of SEASONS
    enquiry: bool  # mostly questions (咨询) rather than complaints


HOTLINE_CATEGORIES: tuple[HotlineCategory, ...] = (
    HotlineCategory("城乡建设", "物业管理", "小区停车", 3.0, "住建", "flat", False),
    HotlineCategory("城乡建设", "物业管理", "物业服务质量", 3.5, "住建", "flat", False),
    HotlineCategory("城乡建设", "物业管理", "电梯故障", 1.0, "市监", "summer", False),
    HotlineCategory("城乡建设", "房产管理", "房屋质量问题", 1.5, "住建", "summer", False),
    HotlineCategory("城乡建设", "房产管理", "交房延期", 1.0, "住建", "flat", False),
    HotlineCategory("城乡建设", "房产管理", "不动产登记", 1.5, "不动产", "flat", True),
    HotlineCategory("城乡建设", "市政设施", "道路破损", 1.5, "执法", "summer", False),
    HotlineCategory("城乡建设", "市政设施", "路灯不亮", 1.0, "执法", "flat", False),
    HotlineCategory("城乡建设", "市政设施", "窨井盖缺损", 0.7, "执法", "flood", False),
    HotlineCategory("城乡建设", "违法建设", "违章搭建", 1.8, "执法", "flat", False),
    HotlineCategory("公用事业", "供水", "停水", 2.0, "水务", "summer", False),
    HotlineCategory("公用事业", "供水", "水压不足", 0.8, "水务", "summer", False),
    HotlineCategory("公用事业", "供电", "停电", 1.5, "供电", "summer", False),
    HotlineCategory("公用事业", "燃气", "燃气安全", 0.6, "燃气", "dry", False),
    HotlineCategory("环境保护", "噪声污染", "施工噪声", 4.0, "生态", "summer", False),
    HotlineCategory("环境保护", "噪声污染", "社会生活噪声", 2.0, "公安", "summer", False),
    HotlineCategory("环境保护", "噪声污染", "商业经营噪声", 1.2, "执法", "summer", False),
    HotlineCategory("环境保护", "大气污染", "餐饮油烟", 1.5, "执法", "flat", False),
    HotlineCategory("环境保护", "大气污染", "工业废气", 1.0, "生态", "flat", False),
    HotlineCategory("环境保护", "大气污染", "异味扰民", 0.8, "生态", "summer", False),
    HotlineCategory("环境保护", "水污染", "河道污染", 0.8, "生态", "summer", False),
    # 固体废物: the 12345 固废类诉求 of the Waste-Free Index.
    HotlineCategory("固体废物", "垃圾清运", "生活垃圾未及时清运", 1.8, "执法", "summer", False),
    HotlineCategory("固体废物", "垃圾分类", "垃圾分类投放", 0.8, "执法", "flat", True),
    HotlineCategory("固体废物", "建筑垃圾", "渣土乱倒", 0.8, "执法", "flat", False),
    HotlineCategory("固体废物", "建筑垃圾", "渣土车撒漏", 0.5, "执法", "flat", False),
    HotlineCategory("固体废物", "工业固废", "固废非法倾倒", 0.4, "生态", "flat", False),
    HotlineCategory("固体废物", "危险废物", "危废违规处置", 0.2, "生态", "flat", False),
    HotlineCategory("交通运输", "出租车网约车", "拒载绕路", 1.5, "交通", "flat", False),
    HotlineCategory("交通运输", "公交服务", "公交班次", 1.2, "交通", "flat", False),
    HotlineCategory("交通运输", "交通管理", "违章停车", 2.0, "公安", "flat", False),
    HotlineCategory("交通运输", "交通管理", "交通信号灯", 0.6, "公安", "flat", False),
    HotlineCategory("劳动保障", "劳动关系", "拖欠工资", 3.0, "人社", "wage", False),
    HotlineCategory("劳动保障", "社会保险", "社保缴纳", 1.5, "人社", "flat", True),
    HotlineCategory("劳动保障", "就业服务", "就业创业政策", 1.0, "人社", "flat", True),
    HotlineCategory("医疗卫生", "医疗服务", "医疗纠纷", 0.8, "卫健", "flat", False),
    HotlineCategory("医疗卫生", "医疗保障", "医保报销", 1.5, "医保", "flat", True),
    HotlineCategory("医疗卫生", "公共卫生", "疫苗接种", 0.5, "卫健", "flat", True),
    HotlineCategory("市场监管", "消费维权", "预付卡退费", 2.0, "市监", "flat", False),
    HotlineCategory("市场监管", "消费维权", "商品质量", 1.8, "市监", "flat", False),
    HotlineCategory("市场监管", "食品安全", "餐饮卫生", 1.5, "市监", "summer", False),
    HotlineCategory("市场监管", "价格监管", "价格欺诈", 0.6, "市监", "flat", False),
    HotlineCategory("教育", "教育管理", "招生入学", 1.2, "教育", "enrol", True),
    HotlineCategory("教育", "教育管理", "校外培训", 0.8, "教育", "flat", False),
    HotlineCategory("公安政法", "户政管理", "户口迁移", 1.0, "公安", "flat", True),
    HotlineCategory("公安政法", "治安管理", "邻里纠纷", 1.0, "公安", "flat", False),
    HotlineCategory("农业农村", "农村管理", "宅基地", 0.6, "农业", "flat", True),
    HotlineCategory("民政", "社会救助", "低保申请", 0.8, "民政", "flat", True),
    HotlineCategory("民政", "养老服务", "养老机构", 0.6, "民政", "flat", True),
    HotlineCategory("政务服务", "办事指南", "办事流程咨询", 4.0, "政务", "flat", True),
    HotlineCategory("政务服务", "政策咨询", "惠企政策", 1.5, "政务", "flat", True),
)

APPEAL_TYPES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")
APPEAL_MIX_ENQUIRY = (0.72, 0.15, 0.06, 0.01, 0.05, 0.01)
APPEAL_MIX_COMPLAINT = (0.12, 0.18, 0.54, 0.11, 0.04, 0.01)
# Handling time limit by appeal type, in hours (the local 办理时限 in calendar terms).
APPEAL_LIMIT_HOURS = {"咨询": 24, "求助": 72, "投诉": 120, "举报": 360, "建议": 240, "表扬": 72}

HOTLINE_CHANNELS = ("电话", "网站", "微信", "浙里办", "小程序", "邮件", "领导信箱")
# Channel mix at the start and at the end of the three years: the phone gives way to 浙里办.
HOTLINE_CHANNEL_MIX_START = (0.66, 0.06, 0.10, 0.09, 0.06, 0.01, 0.02)
HOTLINE_CHANNEL_MIX_END = (0.52, 0.04, 0.11, 0.20, 0.10, 0.01, 0.02)

# Calls by hour of day (0–23).
HOTLINE_HOURS = (0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 1.0, 2.5, 5.5, 8.0, 8.5, 7.5,
                 5.0, 6.0, 7.5, 7.5, 7.0, 5.5, 4.0, 3.5, 3.0, 2.5, 1.8, 1.0)

# -- grid events -------------------------------------------------------------------------------


class GridEventType(NamedTuple):
    name: str
    weight: float
    season: str
    rural: float  # how much more frequent in 村 grids than in 社区 grids


GRID_EVENT_TYPES: tuple[GridEventType, ...] = (
    GridEventType("矛盾纠纷", 12, "flat", 1.0),
    GridEventType("安全隐患", 10, "flat", 1.0),
    GridEventType("消防隐患", 6, "dry", 1.0),
    GridEventType("环境卫生", 12, "summer", 1.0),
    GridEventType("违章搭建", 6, "flat", 1.3),
    GridEventType("占道经营", 7, "summer", 0.3),
    GridEventType("垃圾分类", 6, "flat", 0.8),
    GridEventType("河道保洁", 4, "summer", 2.0),
    GridEventType("道路设施损坏", 5, "flood", 1.0),
    GridEventType("出租房屋管理", 5, "flat", 0.4),
    GridEventType("流动人口登记", 5, "wage", 0.6),
    GridEventType("食品安全", 3, "summer", 0.8),
    GridEventType("电动自行车违规充电", 4, "flat", 0.4),
    GridEventType("燃气安全", 2, "dry", 0.7),
    GridEventType("森林防火", 2, "dry", 4.0),
    GridEventType("防汛防台", 3, "flood", 1.5),
    GridEventType("秸秆焚烧", 1, "harvest", 5.0),
    GridEventType("欠薪维权", 2, "wage", 0.8),
)
GRID_EVENT_LEVELS = ("C", "B", "A", "重大")
GRID_EVENT_LEVEL_MIX = (0.62, 0.28, 0.095, 0.005)
GRID_EVENT_CLOSE_HOURS = {"C": 60.0, "B": 40.0, "A": 20.0, "重大": 6.0}  # median
GRID_EVENT_SOURCES = ("网格员巡查", "群众上报", "视频监控", "部门移交", "物联感知")
GRID_EVENT_SOURCE_MIX_START = (0.60, 0.20, 0.08, 0.08, 0.04)
GRID_EVENT_SOURCE_MIX_END = (0.48, 0.18, 0.16, 0.07, 0.11)
PATROL_HOURS = (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1.0, 3.0, 4.5, 4.5, 3.5,
                1.5, 2.5, 4.0, 4.0, 3.5, 2.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.2)

# -- one-stop government service -----------------------------------------------------------------


class ServiceItem(NamedTuple):
    name: str
    department: str  # key of DEPARTMENTS
    promised_days: int  # 0: handled on the spot (即办)
    weight: float
    at_street: bool  # handled at the street's service centre rather than the county's
    online_affinity: float  # multiplies the odds of applying online


SERVICE_ITEMS: tuple[ServiceItem, ...] = (
    ServiceItem("企业设立登记", "市监", 1, 8, False, 1.6),
    ServiceItem("个体工商户设立登记", "市监", 1, 6, True, 1.3),
    ServiceItem("食品经营许可", "市监", 5, 3, False, 1.0),
    ServiceItem("不动产转移登记", "不动产", 5, 8, False, 0.7),
    ServiceItem("不动产抵押登记", "不动产", 3, 5, False, 1.2),
    ServiceItem("社会保险参保登记", "人社", 0, 8, True, 1.8),
    ServiceItem("灵活就业人员参保", "人社", 1, 3, True, 1.5),
    ServiceItem("退休待遇核定", "人社", 10, 2, False, 0.6),
    ServiceItem("城乡居民养老保险参保", "人社", 1, 3, True, 1.0),
    ServiceItem("医保参保登记", "医保", 0, 6, True, 1.6),
    ServiceItem("异地就医备案", "医保", 0, 5, True, 3.0),
    ServiceItem("居住证申领", "公安", 7, 6, True, 0.9),
    ServiceItem("户口迁移", "公安", 5, 3, False, 0.5),
    ServiceItem("住房公积金提取", "公积金", 1, 7, False, 3.0),
    ServiceItem("生育登记", "卫健", 0, 3, True, 2.0),
    ServiceItem("出生医学证明", "卫健", 1, 2, False, 0.5),
    ServiceItem("婚姻登记", "民政", 0, 3, False, 0.02),
    ServiceItem("最低生活保障申请", "民政", 20, 1, True, 0.4),
    ServiceItem("残疾人证办理", "残联", 20, 1, True, 0.5),
    ServiceItem("建筑工程施工许可", "住建", 7, 1.5, False, 1.5),
    ServiceItem("道路运输经营许可", "交通", 10, 1, False, 1.0),
    ServiceItem("排污许可", "生态", 20, 0.5, False, 1.2),
    ServiceItem("新生儿出生一件事", "卫健", 5, 2, True, 1.5),
)
COUNTER_HOURS = (0, 0, 0, 0, 0, 0, 0, 0, 0.5, 4.0, 4.5, 3.5,
                 0.5, 1.0, 4.0, 4.0, 3.0, 0.5, 0, 0, 0, 0, 0, 0)
ONLINE_HOURS = (0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3.0, 4.5, 4.5, 3.5,
                2.5, 3.0, 4.0, 4.0, 3.5, 2.5, 2.0, 2.5, 3.0, 2.5, 1.5, 0.8)

# -- environment -------------------------------------------------------------------------------

AIR_STATION_SUFFIXES = ("监测站", "环境监测站", "中学站", "开发区站", "公园站", "自来水厂站", "新区站", "市政中心站")
# PM2.5 by calendar month relative to the year: heating season in the north drifts south in
# winter, the plum rains and the sea breeze clean the summer air.
PM_SEASON = (1.5, 1.35, 1.15, 0.95, 0.85, 0.72, 0.55, 0.55, 0.7, 0.9, 1.2, 1.5)
PM_HOURS = (1.05, 1.05, 1.0, 0.98, 0.96, 0.97, 1.0, 1.05, 1.1, 1.08, 1.02, 0.96,
            0.9, 0.86, 0.85, 0.86, 0.9, 0.96, 1.03, 1.08, 1.1, 1.1, 1.08, 1.06)
NO2_HOURS = (0.95, 0.88, 0.82, 0.78, 0.78, 0.85, 1.0, 1.2, 1.28, 1.15, 1.0, 0.9,
             0.82, 0.78, 0.78, 0.82, 0.92, 1.08, 1.22, 1.25, 1.18, 1.1, 1.02, 0.98)
O3_SEASON = (0.55, 0.65, 0.85, 1.05, 1.25, 1.2, 1.1, 1.15, 1.3, 1.1, 0.8, 0.6)
O3_HOURS = (0.45, 0.4, 0.38, 0.36, 0.35, 0.36, 0.42, 0.55, 0.75, 1.0, 1.3, 1.6,
            1.85, 2.0, 2.05, 1.95, 1.7, 1.35, 1.0, 0.8, 0.68, 0.6, 0.55, 0.5)

# HJ 633-2012 breakpoints: concentration → individual AQI. PM uses the 24-hour limits, as
# real-time AQI does; the gases use their 1-hour limits.
AQI_LEVELS = (0, 50, 100, 150, 200, 300, 400, 500)
AQI_BREAKPOINTS: dict[str, tuple[float, ...]] = {
    "pm25": (0, 35, 75, 115, 150, 250, 350, 500),
    "pm10": (0, 50, 150, 250, 350, 420, 500, 600),
    "o3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "no2": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "so2": (0, 150, 500, 650, 800, 1600, 2100, 2620),
    "co": (0, 5, 10, 35, 60, 90, 120, 150),
}

WATER_BODIES: dict[str, tuple[str, ...]] = {
    "330100": ("钱塘江", "富春江", "新安江", "千岛湖", "东苕溪", "京杭运河", "分水江"),
    "330200": ("甬江", "姚江", "奉化江", "剡江", "白溪"),
    "330300": ("瓯江", "飞云江", "鳌江", "楠溪江", "温瑞塘河"),
    "330400": ("京杭运河", "长山河", "海盐塘", "红旗塘", "嘉善塘"),
    "330500": ("东苕溪", "西苕溪", "太湖", "长兴港", "頔塘"),
    "330600": ("曹娥江", "浦阳江", "鉴湖", "小舜江"),
    "330700": ("婺江", "金华江", "武义江", "东阳江", "浦阳江"),
    "330800": ("衢江", "常山港", "江山港", "乌溪江", "马金溪"),
    "330900": ("虹桥水库", "城北水库", "岑港河"),
    "331000": ("椒江", "灵江", "永安溪", "始丰溪", "金清港"),
    "331100": ("瓯江", "松阴溪", "好溪", "小溪", "龙泉溪"),
}
WATER_SECTION_SUFFIXES = ("大桥", "水厂", "出境", "入境", "渡口", "闸", "电站", "交接")
# The slow plain rivers of 嘉兴 and 湖州's east carry more nutrients than the mountain rivers.
PLAIN_CITIES = ("330400", "330500")
WATER_GRADES = ("Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ")
# GB 3838-2002 limits for grades Ⅰ–Ⅴ (rivers). Dissolved oxygen is a floor, the rest ceilings.
WATER_LIMITS: dict[str, tuple[float, ...]] = {
    "dissolved_oxygen": (7.5, 6.0, 5.0, 3.0, 2.0),
    "cod_mn": (2.0, 4.0, 6.0, 10.0, 15.0),
    "ammonia_n": (0.15, 0.5, 1.0, 1.5, 2.0),
    "total_p": (0.02, 0.1, 0.2, 0.3, 0.4),
}

# -- solid waste -------------------------------------------------------------------------------

DISPOSAL_ROUTES = ("再利用", "再生利用", "焚烧", "填埋", "贮存")


class WasteKind(NamedTuple):
    code: str  # 废物代码: the national code where one exists, else the standard category name
    weight: float
    producer_word: str  # what kind of producer ships it, for names
    routes: tuple[float, float, float, float, float]  # odds of each DISPOSAL_ROUTES entry


class WasteClass(NamedTuple):
    prefix: str  # manifest number prefix
    manifest_share: float  # share of manifests
    tons_per_year: float  # province, 万吨, around 2024
    tons_trend: float  # a year
    pickup_hours: float  # median from manifest creation to pick-up
    due_days: float  # receipt due after creation
    kinds: tuple[WasteKind, ...]


WASTE: dict[str, WasteClass] = {
    "工业固废": WasteClass("GY", 0.20, 5000, 0.02, 12, 5, (
        WasteKind("SW02", 14, "热电", (0.05, 0.88, 0, 0.04, 0.03)),  # 粉煤灰
        WasteKind("SW03", 12, "热电", (0.05, 0.85, 0, 0.07, 0.03)),  # 炉渣
        WasteKind("SW06", 8, "热电", (0.05, 0.88, 0, 0.03, 0.04)),  # 脱硫石膏
        WasteKind("SW07", 8, "纺织印染", (0, 0.45, 0.45, 0.05, 0.05)),  # 污泥
        WasteKind("SW01", 8, "冶金", (0.05, 0.8, 0, 0.1, 0.05)),  # 冶炼废渣
        WasteKind("SW14", 8, "纺织", (0.2, 0.6, 0.15, 0.03, 0.02)),
        WasteKind("SW15", 6, "造纸", (0.2, 0.65, 0.1, 0.03, 0.02)),
        WasteKind("SW16", 6, "化工", (0.05, 0.6, 0.2, 0.1, 0.05)),
        WasteKind("SW17", 16, "机械制造", (0.45, 0.53, 0, 0.01, 0.01)),  # 可再生类废物
        WasteKind("SW13", 4, "食品", (0.4, 0.5, 0.05, 0.03, 0.02)),
        WasteKind("SW59", 4, "制品", (0.1, 0.4, 0.1, 0.25, 0.15)),
    )),
    "危险废物": WasteClass("WF", 0.38, 550, 0.03, 20, 5, (
        WasteKind("900-041-49", 18, "新材料", (0.05, 0.25, 0.6, 0.05, 0.05)),  # 废包装物
        WasteKind("336-064-17", 12, "电镀", (0, 0.7, 0.05, 0.2, 0.05)),  # 电镀污泥
        WasteKind("900-249-08", 12, "机械制造", (0.1, 0.8, 0.08, 0, 0.02)),  # 废矿物油
        WasteKind("261-084-11", 8, "化工", (0, 0.15, 0.8, 0.02, 0.03)),  # 精馏残渣
        WasteKind("772-002-18", 10, "环保能源", (0, 0.1, 0, 0.85, 0.05)),  # 焚烧飞灰
        WasteKind("900-402-06", 8, "医药", (0.05, 0.55, 0.35, 0, 0.05)),  # 废有机溶剂
        WasteKind("264-011-12", 7, "涂料", (0, 0.1, 0.8, 0.05, 0.05)),  # 染料涂料废物
        WasteKind("398-005-22", 6, "电子科技", (0, 0.85, 0.05, 0.05, 0.05)),  # 含铜废物
        WasteKind("900-300-34", 6, "金属制品", (0.1, 0.7, 0.1, 0.05, 0.05)),  # 废酸
        WasteKind("841-001-01", 8, "医院", (0, 0, 0.98, 0, 0.02)),  # 感染性医疗废物
        WasteKind("900-039-49", 5, "印刷", (0.05, 0.3, 0.6, 0, 0.05)),  # 废活性炭
    )),
    # One manifest a day and transfer station: its load to the incinerator or the recycler.
    "生活垃圾": WasteClass("SH", 0.24, 1800, -0.01, 2, 1, (
        WasteKind("其他垃圾", 60, "垃圾中转站", (0, 0.02, 0.9, 0.08, 0)),
        WasteKind("厨余垃圾", 25, "垃圾中转站", (0.05, 0.88, 0.03, 0.04, 0)),
        WasteKind("可回收物", 14, "垃圾中转站", (0.4, 0.6, 0, 0, 0)),
        WasteKind("有害垃圾", 1, "垃圾中转站", (0, 0.3, 0.65, 0.05, 0)),
    )),
    "建筑垃圾": WasteClass("JZ", 0.13, 6000, 0.0, 1, 1, (
        WasteKind("工程渣土", 45, "工地", (0.25, 0.2, 0, 0.5, 0.05)),
        WasteKind("工程泥浆", 10, "工地", (0.1, 0.3, 0, 0.55, 0.05)),
        WasteKind("工程垃圾", 15, "工地", (0.1, 0.7, 0, 0.18, 0.02)),
        WasteKind("拆除垃圾", 18, "工地", (0.1, 0.75, 0, 0.13, 0.02)),
        WasteKind("装修垃圾", 12, "工地", (0.05, 0.6, 0.05, 0.28, 0.02)),
    )),
    "农业废弃物": WasteClass("NY", 0.05, 1500, 0.0, 24, 3, (
        WasteKind("秸秆", 40, "粮油专业合作社", (0.6, 0.3, 0.08, 0, 0.02)),
        WasteKind("畜禽粪污", 40, "生猪养殖场", (0.55, 0.42, 0, 0, 0.03)),
        WasteKind("废旧农膜", 12, "蔬菜专业合作社", (0.05, 0.8, 0.05, 0.08, 0.02)),
        WasteKind("农药包装废弃物", 8, "植保专业合作社", (0, 0.3, 0.6, 0.05, 0.05)),
    )),
}

FACILITY_TYPES = ("焚烧厂", "填埋场", "资源化利用", "危废利用处置", "建筑垃圾消纳", "餐厨处理", "农业废弃物利用")
# The class a facility type is registered under, its name, and how many a city of average size has.
FACILITY_KINDS: dict[str, tuple[str, str, float]] = {
    "焚烧厂": ("生活垃圾", "生活垃圾焚烧发电厂", 2.0),
    "填埋场": ("生活垃圾", "生活垃圾填埋场", 1.2),
    "资源化利用": ("工业固废", "固废资源化利用中心", 4.0),
    "危废利用处置": ("危险废物", "危险废物利用处置有限公司", 4.0),
    "建筑垃圾消纳": ("建筑垃圾", "建筑垃圾资源化利用消纳场", 3.0),
    "餐厨处理": ("生活垃圾", "餐厨垃圾处理厂", 1.2),
    "农业废弃物利用": ("农业废弃物", "农业废弃物资源化利用中心", 1.5),
}

BRANDS = ("华鑫", "恒远", "金达", "宏泰", "永盛", "天成", "嘉诚", "瑞丰", "新宇", "万通", "联创", "凯达",
          "博远", "东润", "信达", "中晟", "海越", "鼎盛", "佳禾", "荣泰", "汇丰", "康源", "明珠", "兴业")
CONSTRUCTION_PROJECTS = ("安置房项目", "地铁站点工程", "道路改造工程", "商住楼项目", "学校新建工程", "旧城改造项目")

CELL_TYPES = ("学校", "医院", "企业", "社区", "机关", "商场", "饭店", "景区", "工地", "园区", "快递网点", "村庄")
CELL_TYPE_MIX = (0.12, 0.04, 0.12, 0.2, 0.08, 0.04, 0.06, 0.03, 0.04, 0.03, 0.04, 0.2)
# Name endings of cells that are not the community itself; types certified at street level.
CELL_NAME_SUFFIXES: dict[str, tuple[str, ...]] = {
    "学校": ("小学", "中学", "幼儿园", "实验学校"),
    "医院": ("人民医院", "中医院", "社区卫生服务中心"),
    "企业": ("科技有限公司", "制造有限公司", "实业有限公司"),
    "机关": ("便民服务中心", "税务所", "派出所", "市场监管所"),
    "商场": ("购物中心", "商业广场", "农贸市场"),
    "饭店": ("大酒店", "餐饮店", "农家乐"),
    "景区": ("风景区", "湿地公园", "古镇景区"),
    "工地": ("安置房项目部", "道路工程项目部"),
    "园区": ("工业园区", "小微企业园", "科创园"),
    "快递网点": ("快递服务站", "邮政网点"),
}
STREET_CELL_TYPES = ("企业", "机关", "工地", "园区")

# -- infrastructure ------------------------------------------------------------------------------


class SensorKind(NamedTuple):
    prefix: str
    unit: str
    warn: float
    alarm: float  # below warn for kinds where low readings are dangerous (water pressure)
    share: float
    at_grid: bool  # installed at grid level (else street)


SENSORS: dict[str, SensorKind] = {
    "水位": SensorKind("SW", "m", 4.5, 5.2, 0.25, False),
    "井盖位移": SensorKind("JG", "°", 10.0, 20.0, 0.25, True),
    "燃气浓度": SensorKind("RQ", "%LEL", 10.0, 20.0, 0.20, True),
    "桥梁应变": SensorKind("QL", "με", 350.0, 450.0, 0.10, False),
    "边坡位移": SensorKind("BP", "mm", 40.0, 60.0, 0.10, False),
    "消防水压": SensorKind("XF", "MPa", 0.15, 0.10, 0.10, True),
}

DATA_DEPARTMENTS: dict[str, tuple[float, float]] = {
    # department: (items collected a weekday in 杭州, API calls a weekday in 杭州)
    "公安局": (2_000_000, 900_000),
    "市场监管局": (300_000, 260_000),
    "人力社保局": (500_000, 420_000),
    "卫生健康委": (800_000, 380_000),
    "医疗保障局": (600_000, 350_000),
    "自然资源和规划局": (150_000, 120_000),
    "住房和城乡建设局": (120_000, 110_000),
    "民政局": (80_000, 90_000),
}

SECURITY_SEVERITIES = ("低危", "中危", "高危", "严重")
SECURITY_SEVERITY_MIX = (0.55, 0.30, 0.12, 0.03)
SECURITY_RESOLVE_HOURS = {"低危": 96.0, "中危": 36.0, "高危": 10.0, "严重": 4.0}  # median
SECURITY_CATEGORIES = ("恶意代码", "网络攻击", "漏洞利用", "数据泄露", "异常访问", "拒绝服务")
SECURITY_CATEGORY_MIX = (0.2, 0.3, 0.2, 0.05, 0.2, 0.05)
SECURITY_SYSTEMS = ("浙里办", "浙政钉", "政务服务网", "公共数据平台", "城市大脑", "医保信息系统",
                    "不动产登记系统", "视频监控平台", "协同办公系统", "门户网站", "电子证照库")

# -- people: synthetic personal data of callers and applicants ----------------------------------
# Invented, not drawn from any register: plausible enough that masking can be seen at work.

# Common surnames with rough weights (percent of the population, rounded public figures).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 5.8), ("杨", 3.1), ("黄", 2.6), ("赵", 2.0),
    ("吴", 2.6), ("周", 2.1), ("徐", 2.2), ("孙", 1.5), ("马", 1.3), ("朱", 1.6), ("胡", 1.5), ("郭", 1.1),
    ("何", 1.2), ("林", 1.3), ("高", 1.1), ("罗", 0.9), ("郑", 1.2), ("梁", 0.7), ("谢", 0.8), ("宋", 0.7),
    ("唐", 0.6), ("许", 0.9), ("韩", 0.5), ("冯", 0.5), ("邓", 0.5), ("曹", 0.5), ("彭", 0.4), ("曾", 0.4),
    ("沈", 0.8), ("蒋", 0.7), ("潘", 0.5), ("钱", 0.4), ("方", 0.5), ("俞", 0.3), ("金", 0.5), ("叶", 0.6),
    ("楼", 0.2), ("应", 0.2), ("童", 0.2), ("章", 0.3), ("欧阳", 0.1), ("诸葛", 0.02),
)
GIVEN_NAME_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志文辉斌宇浩然晨欣怡"
    "佳琪婷雪梅俊峰海波立新永春晓东亮丹倩颖琳嘉豪子轩雨涵梓萱思远博文一诺可馨宏伟德福"
)
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
    "183", "185", "186", "187", "188", "189", "191", "193", "195", "198", "199",
)
ROAD_NAMES = (
    "人民", "解放", "中山", "建设", "文化", "新华", "和平", "环城", "滨江", "湖滨", "东风", "胜利", "青年",
    "学院", "工业", "振兴", "复兴", "长安", "延安", "凤凰", "望江", "钱塘", "兴业", "世纪", "迎宾", "健康",
)
ROAD_SUFFIXES = ("路", "路", "路", "街", "大道")
ESTATES = (
    "阳光花园", "锦绣家园", "金色家园", "翠苑", "幸福里", "香樟苑", "湖畔花园", "桂花苑", "丽都公寓",
    "江南名府", "新村", "公寓", "嘉园", "怡景苑", "东方名城", "绿洲花园", "春晓苑", "和家园",
)

# What callers say, by first-level hotline category: `{topic}` is the order's third-level
# category, `{place}` a road near the caller. A request text is an opening, a detail of the
# order's category and an ask of its appeal type.
REQUEST_OPENINGS = ("来电反映：", "市民来电反映，", "来电人称，", "市民通过热线反映：", "来电人反映，")
REQUEST_DETAILS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("{place}附近{topic}问题已持续一段时间，多次向物业和社区反映未果", "{place}一带{topic}，影响居民正常生活",
                 "所在小区{topic}，存在安全隐患"),
    "公用事业": ("{place}附近出现{topic}情况，已影响日常生活", "家中{topic}，{place}周边多户居民情况相同",
                 "{place}一带近期频繁{topic}"),
    "环境保护": ("{place}附近{topic}严重，夜间尤为明显", "{place}一带存在{topic}问题，周边居民意见较大",
                 "住所附近{topic}，已持续多日"),
    "固体废物": ("{place}附近{topic}，气味难闻", "{place}路边发现{topic}情况，影响市容环境",
                 "小区周边{topic}问题反复出现"),
    "交通运输": ("在{place}附近遇到{topic}问题", "{place}路口{topic}，存在安全隐患", "{place}沿线{topic}，出行不便"),
    "劳动保障": ("本人在{place}附近一单位工作，遇到{topic}问题", "关于{topic}事宜，单位位于{place}附近",
                 "遇到{topic}问题，不清楚如何处理"),
    "医疗卫生": ("在{place}附近医疗机构就诊时遇到{topic}问题", "关于{topic}，需要了解相关规定", "家人遇到{topic}问题"),
    "市场监管": ("在{place}附近一商户遇到{topic}问题", "{place}一带商户存在{topic}情况", "网购遇到{topic}问题，商家拒绝处理"),
    "教育": ("孩子遇到{topic}问题", "{place}附近机构存在{topic}情况", "关于{topic}政策有疑问"),
    "公安政法": ("关于{topic}事宜需要帮助", "{place}附近发生{topic}情况", "遇到{topic}问题，希望协调"),
    "农业农村": ("村里{topic}问题长期未解决", "关于{topic}审批事宜", "家中{topic}存在争议"),
    "民政": ("家中老人需要{topic}方面的帮助", "关于{topic}的办理条件有疑问", "{place}附近{topic}服务存在问题"),
    "政务服务": ("想了解{topic}的具体要求", "关于{topic}，网上未找到相关说明", "办理业务时遇到{topic}方面的问题"),
}
REQUEST_ASKS: dict[str, str] = {
    "咨询": "，想咨询具体的办理流程和所需材料。", "求助": "，请求有关部门给予帮助。",
    "投诉": "，要求相关部门尽快处理并给予答复。", "举报": "，请求有关部门调查处理。",
    "建议": "，建议有关部门加强管理。", "表扬": "，对相关工作人员的热情服务表示感谢。",
}
