"""Strings of the department pages' shared frame (cockpit/ui/workbench.py)."""

STRINGS = {
    "wb.region": {"zh": "区域", "en": "Region"},
    "wb.region.search": {"zh": "输入名称或代码搜索", "en": "Type a name or code"},
    "wb.down": {"zh": "下钻", "en": "Drill down"},
    "wb.down.placeholder": {"zh": "选择{level}（{n}个）", "en": "{n} × {level}"},
    "wb.frequency": {"zh": "周期", "en": "Frequency"},
    "wb.frequency.month": {"zh": "月", "en": "Month"},
    "wb.frequency.quarter": {"zh": "季", "en": "Quarter"},
    "wb.frequency.year": {"zh": "年", "en": "Year"},
    "wb.period": {"zh": "时间", "en": "Period"},
    "wb.compare": {"zh": "对比", "en": "Compare"},
    "wb.since": {"zh": "趋势起点", "en": "Trends from"},
    "wb.since.default": {"zh": "近{n}期", "en": "Last {n}"},
    "wb.compare.yoy": {"zh": "同比", "en": "YoY"},
    "wb.compare.mom": {"zh": "环比", "en": "MoM"},
    "wb.compare.target": {"zh": "目标", "en": "Target"},
    "wb.breadcrumbs": {"zh": "所在区域", "en": "Where you are"},
    "wb.filtered": {"zh": "筛选：", "en": "Filtered by:"},
    "wb.clear": {"zh": "清除此筛选", "en": "Clear this filter"},
    "wb.not_filtered": {
        "zh": "本面板不受“{filter}”筛选影响（其数据未按此维度区分）",
        "en": "Not filtered by {filter}: its data is not split by it",
    },
    "wb.flat": {"zh": "持平", "en": "no change"},
    "wb.records.open": {"zh": "查看构成该数值的明细记录", "en": "Open the records behind this number"},
    "wb.out_of_scope": {
        "zh": "链接中的区域不存在或不在您的权限范围内，已显示{name}。",
        "en": "The region in the link does not exist or is outside what you may see; showing {name}.",
    },
    "wb.period_missing": {
        "zh": "没有 {period} 的数据，已显示 {shown}。",
        "en": "There are no values for {period}; showing {shown}.",
    },
    "wb.coverage": {
        "zh": "本页指标统计到{deepest}，{level}一级没有数值。",
        "en": "These indicators are counted down to {deepest} level; there are no values at {level} level.",
    },
    "wb.out_of_themes": {
        "zh": "该页面不在您所在部门的主题范围内，不显示其数据；如需查看，请联系管理员。",
        "en": "This page is outside your department's themes, so none of its data is shown; ask an administrator if you need it.",
    },
    "wb.coverage.nearest": {"zh": "查看{name}", "en": "See {name}"},
    "wb.coverage.records": {"zh": "查看本区域的明细记录", "en": "Open this region's own records"},
    "wb.panel.not_filtered": {
        "zh": "本面板不受“{filter}”筛选影响",
        "en": "This panel is not filtered by {filter}",
    },
}
