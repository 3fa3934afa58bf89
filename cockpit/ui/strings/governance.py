"""Strings of 城市治理 (/governance): the 12345 hotline, grid events and one-stop services."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "gov.title": {"zh": "城市治理", "en": "City governance"},
    "gov.lead": {
        "zh": "12345热线工单办得怎么样：办理漏斗、五项考核率对照目标（按部门、按区域），哪里诉求多、哪些街道超期多、哪些工单已超期；旁附网格事件与一网通办。",
        "en": "How the 12345 hotline's orders are handled: the funnel, the five assessment rates against their targets "
              "by department and by region, where calls come from, which streets have the most overdue orders and which "
              "orders are overdue; with grid events and one-stop services beside it.",
    },
    "gov.cross.department": {"zh": "承办部门", "en": "Department"},
    "gov.cross.category_l1": {"zh": "诉求分类", "en": "Category"},
    "gov.no_snapshot": {
        "zh": "尚未发布指标快照。运行 `cockpit refresh` 计算全部指标。",
        "en": "No indicator snapshot has been published yet. Run `cockpit refresh` to compute the indicators.",
    },
    "gov.no_period": {"zh": "热线指标在该周期下还没有数值。", "en": "The hotline indicators have no values for this frequency yet."},
    "gov.period_of": {"zh": "{period}", "en": "{period}"},
    "gov.filter.both": {
        "zh": "指标按一个维度拆分：同时筛选部门和分类时，数值按部门筛选，分类筛选仅作用于工单明细。",
        "en": "Indicators are split by one column at a time: with both filters set, numbers follow the department, "
              "and the category filter applies to the order lists only.",
    },
    # the funnel
    "gov.funnel.title": {"zh": "工单办理漏斗", "en": "Handling funnel"},
    "gov.funnel.accepted": {"zh": "受理", "en": "Accepted"},
    "gov.funnel.dispatched": {"zh": "派单", "en": "Dispatched"},
    "gov.funnel.fed_back": {"zh": "反馈", "en": "Fed back"},
    "gov.funnel.closed": {"zh": "办结", "en": "Closed"},
    "gov.funnel.satisfied": {"zh": "满意", "en": "Satisfied"},
    "gov.funnel.note": {
        "zh": "{period} 受理的工单逐步流转；百分比为占受理量之比。点击某一步查看明细。",
        "en": "Orders accepted in {period}, step by step; percentages are of the orders accepted. Click a step for its orders.",
    },
    # the rates table
    "gov.rates.title": {"zh": "五项考核率", "en": "The five assessment rates"},
    "gov.rates.by_department": {"zh": "按承办部门", "en": "By department"},
    "gov.rates.by_region": {"zh": "按区域", "en": "By region"},
    "gov.rates.col.name.department": {"zh": "承办部门", "en": "Department"},
    "gov.rates.col.name.region": {"zh": "区域", "en": "Region"},
    "gov.rates.col.orders": {"zh": "受理量", "en": "Orders"},
    "gov.rates.col.overdue": {"zh": "超期", "en": "Overdue"},
    "gov.rates.col.target": {"zh": "{name}（目标{target}）", "en": "{name} (target {target})"},
    "gov.rates.total": {"zh": "{name}合计", "en": "{name}, all"},
    "gov.rates.note": {
        "zh": "{period}；低于目标的数值标红。点击表头排序；点击部门名称按该部门筛选全页，点击区域名称下钻。",
        "en": "{period}; values below target in red. Click a header to sort; click a department to filter the page by it, a region to drill into it.",
    },
    "gov.rates.more": {"zh": "另有 {n} 个部门受理量较少，未列出。", "en": "{n} departments with fewer orders are not listed."},
    "gov.rates.not_split": {
        "zh": "考核率按承办部门只统计到区县一级：这里列出各部门的受理量，考核率请看上一级或“按区域”。",
        "en": "Rates by department are counted down to county level only: the departments' orders are listed here; "
              "see the level above, or By region, for the rates.",
    },
    "gov.rates.coverage": {
        "zh": "五项考核率、办理漏斗和诉求分类统计到{deepest}；{level}一级只有受理量和超期工单量。",
        "en": "The five rates, the funnel and the categories are counted down to {deepest} level; at {level} level only the orders and overdue orders are.",
    },
    "gov.rates.empty": {"zh": "该周期没有按部门统计的数值。", "en": "No values by department in this period."},
    "gov.rates.empty_region": {"zh": "下一级区域没有热线数值。", "en": "The regions one level down have no hotline values."},
    # overdue streets
    "gov.overdue.title": {"zh": "超期工单最多的{level}", "en": "Most overdue orders by {level}"},
    "gov.overdue.note": {
        "zh": "{period} 受理、超过办理时限才办结的工单（{streets} 个{level}中 {with_overdue} 个有超期，共 {total}）。点击数字查看工单明细，可导出 Excel；点击名称下钻。",
        "en": "Orders accepted in {period} and closed after their deadline ({with_overdue} of {streets} have some, {total} in all). "
              "Click a number for the orders, exportable to Excel; a name to drill into it.",
    },
    "gov.overdue.none": {"zh": "{period} 没有超期工单。", "en": "No overdue orders in {period}."},
    "gov.overdue.col.value": {"zh": "超期工单", "en": "Overdue"},
    "gov.overdue.records": {"zh": "查看{name}的超期工单", "en": "Overdue orders of {name}"},
    "gov.overdue.all": {"zh": "全部超期工单", "en": "All overdue orders"},
    # hot spots
    "gov.map.title": {"zh": "诉求热点：各{level}受理量", "en": "Hot spots: orders by {level}"},
    "gov.map.note": {"zh": "{period} 受理工单量，颜色越亮越多；点击区域下钻。", "en": "Orders accepted in {period}; brighter is more. Click a region to drill into it."},
    "gov.map.empty": {"zh": "下一级区域没有热线数值。", "en": "The regions one level down have no hotline values."},
    # categories
    "gov.categories.title": {"zh": "高频诉求分类", "en": "High-frequency categories"},
    "gov.categories.note": {
        "zh": "{period} 受理量最多的一级分类；点击分类按其筛选全页，再次点击取消。",
        "en": "The first-level categories with the most orders in {period}; click one to filter the page by it, again to clear it.",
    },
    "gov.categories.trend": {"zh": "分类趋势", "en": "Categories over time"},
    "gov.categories.trend.note": {"zh": "各月（年）受理量，截至 {period}。", "en": "Orders per period, up to {period}."},
    "gov.categories.empty": {"zh": "该周期没有分类数值。", "en": "No values by category in this period."},
    # repeat complaints
    "gov.repeat.title": {"zh": "重复投诉", "en": "Repeat complaints"},
    "gov.repeat.note": {
        "zh": "同一来电人同一三级分类在同一周期内第二次及以后的投诉。{period}：{value}。",
        "en": "Complaints beyond the first from the same caller about the same third-level category in a period. {period}: {value}.",
    },
    "gov.repeat.children": {"zh": "重复投诉最多的{level}", "en": "{level} with the most"},
    # open overdue orders
    "gov.open.title": {"zh": "在办超期工单", "en": "Open orders past their deadline"},
    "gov.open.note": {
        "zh": "截至 {as_of} 仍未办结且已过办理时限的工单：共 {total} 件。",
        "en": "Orders still being handled whose deadline had passed at {as_of}: {total} in all.",
    },
    "gov.open.none": {"zh": "截至 {as_of} 没有超期未办结的工单。", "en": "No open order is past its deadline at {as_of}."},
    "gov.open.age": {"zh": "超期 {low}–{high} 天", "en": "{low}–{high} days over"},
    "gov.open.age_over": {"zh": "超期 {low} 天以上", "en": "over {low} days"},
    "gov.open.col.order": {"zh": "工单编号", "en": "Order"},
    "gov.open.col.category": {"zh": "分类", "en": "Category"},
    "gov.open.col.department": {"zh": "承办部门", "en": "Department"},
    "gov.open.col.due": {"zh": "办理时限", "en": "Due"},
    "gov.open.col.days": {"zh": "已超期", "en": "Overdue by"},
    "gov.open.days": {"zh": "{days} 天", "en": "{days} d"},
    "gov.open.longest": {"zh": "超期最久的工单", "en": "Longest overdue"},
    "gov.open.filtered": {"zh": "按全部筛选条件（{filters}）", "en": "Filtered by {filters}"},
    # one-stop services
    "gov.services.title": {"zh": "一网通办", "en": "One-stop government services"},
    "gov.services.note": {"zh": "{name}，{period}。", "en": "{name}, {period}."},
    "gov.services.note_up": {
        "zh": "一网通办统计到区县，显示{name}的数值（{period}）。",
        "en": "One-stop services are counted down to county level: the values of {name} ({period}).",
    },
    "gov.services.target": {"zh": "目标 {target}", "en": "target {target}"},
    "gov.services.none": {"zh": "该周期没有一网通办数值。", "en": "No one-stop service values in this period."},
    # grid events
    "gov.grid.title": {"zh": "基层网格事件", "en": "Grid events"},
    "gov.grid.reported": {"zh": "上报事件", "en": "Reported"},
    "gov.grid.closed": {"zh": "已办结", "en": "Closed"},
    "gov.grid.open": {"zh": "未办结", "en": "Open"},
    "gov.grid.major": {"zh": "重大 / A级", "en": "Major / grade A"},
    "gov.grid.note": {
        "zh": "{period} 上报的网格事件（基层网格治理指标）；点击数字查看事件明细。",
        "en": "Grid events reported in {period} (the grid governance indicators); click a number for the events.",
    },
    "gov.records": {"zh": "明细", "en": "Records"},
    "gov.not_split": {
        "zh": "本面板不受“{filter}”筛选影响（该数值未按此维度拆分）",
        "en": "Not filtered by {filter} (this number is not split by it)",
    },
}
