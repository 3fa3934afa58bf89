"""Strings of the records page (/records): the rows behind a number."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "records.page_title": {"zh": "明细记录", "en": "Records"},
    "records.lead": {
        "zh": "这个数字由哪些记录算出：逐条列出，可在服务器端排序、筛选，并按当前视图导出。",
        "en": "The rows this number is computed from, one by one: sorted and filtered on the server, exported as shown.",
    },
    "records.lead_feed": {
        "zh": "本区划自身的原始记录：逐条列出，可在服务器端排序、筛选，并按当前视图导出。",
        "en": "This region's own records, one by one: sorted and filtered on the server, exported as shown.",
    },
    "records.title": {"zh": "{indicator} · {region} · {period}", "en": "{indicator} · {region} · {period}"},
    "records.title_feed": {"zh": "{feed} · {region}", "en": "{feed} · {region}"},
    "records.back_indicator": {"zh": "返回指标详情", "en": "Back to the indicator"},
    "records.back": {"zh": "返回上一页", "en": "Back"},
    "records.formula": {"zh": "{name} {value} = 分子 ÷ 分母：", "en": "{name} {value} = numerator ÷ denominator:"},
    "records.sets": {"zh": "记录口径", "en": "Counted rows"},
    "records.set.value": {"zh": "指标值的记录", "en": "Rows behind the value"},
    "records.set.numerator": {"zh": "分子：{label}", "en": "Numerator: {label}"},
    "records.set.denominator": {"zh": "分母：{label}", "en": "Denominator: {label}"},
    "records.set.other": {"zh": "构成：{label}", "en": "Part: {label}"},
    "records.count": {"zh": "共 {n} 条", "en": "{n} rows"},
    "records.count_equals": {"zh": "= 指标值 {value}", "en": "= the value, {value}"},
    "records.count_differs": {
        "zh": "≠ 指标值 {value}：记录数与快照中的指标值不一致，数据可能在快照生成后有更新",
        "en": "≠ the value, {value}: the rows and the snapshot's value differ; the data may have changed since the snapshot",
    },
    "records.count_filtered": {
        "zh": "（已按筛选条件过滤；指标值 {value} 对应未筛选的全部记录）",
        "en": "(filtered; the value {value} counts all rows, unfiltered)",
    },
    "records.sum_notice": {
        "zh": "指标值 {value} 为这些记录的合计（或由其计算），不是记录条数",
        "en": "The value, {value}, is a total over these rows (or computed from them), not their number",
    },
    "records.no_value": {"zh": "该期无指标值", "en": "no value for this period"},
    "records.no_value_here": {
        "zh": "（快照中该区划该期无指标值）",
        "en": "(the snapshot has no value for this region and period)",
    },
    "records.grid_count": {"zh": "表格筛选后 {n} 条", "en": "{n} rows after the grid's filters"},
    "records.cross": {"zh": "筛选：", "en": "Filters: "},
    "records.chip": {"zh": "{label} = {value}", "en": "{label} = {value}"},
    "records.chip_clear": {"zh": "清除此筛选", "en": "Remove this filter"},
    "records.masked": {
        "zh": "个人信息已脱敏：{columns}。带锁图标的列不可排序、不可筛选。",
        "en": "Personal data is masked: {columns}. Columns with a lock cannot be sorted or filtered.",
    },
    "records.hidden": {"zh": "{columns} 仅对有权限的人员显示，本页和导出均不含此列。",
                       "en": "{columns}: shown to authorised staff only; not on this page or in exports."},
    "records.unmasked": {
        "zh": "本页显示未脱敏的个人信息（{columns}）：仅限有权限的人员使用，请勿外传。",
        "en": "Personal data is shown unmasked ({columns}): for authorised staff only, do not pass on.",
    },
    "records.export": {"zh": "导出", "en": "Export"},
    "records.export_xlsx": {"zh": "Excel", "en": "Excel"},
    "records.export_csv": {"zh": "CSV", "en": "CSV"},
    "records.export_hint": {"zh": "导出当前排序与筛选下的全部记录", "en": "Exports every row under the current sort and filters"},
    "records.export_range": {
        "zh": "表格中的范围筛选无法写入导出链接：请改用“等于”筛选，或清除范围筛选后导出。",
        "en": "A range filter in the grid cannot go into the export link: filter by 'equals', or clear the range, to export.",
    },
    "records.filter_hint": {
        "zh": "表格筛选：文本按“等于”，数值按等于或范围（含起点、不含终点），日期按当天、之前、之后或区间（含两端）。",
        "en": "Grid filters: text by 'equals'; numbers by equals or a range (from inclusive, to exclusive); dates by the day, before, after or between (both days included).",
    },
    "records.bad_filter": {"zh": "无法按此条件筛选：{problem}", "en": "Cannot filter this way: {problem}"},
    "records.bad_query": {"zh": "无法列出记录：{problem}", "en": "Cannot list the records: {problem}"},
    "records.bad_query.indicator": {"zh": "未知的指标或无权查看", "en": "an unknown indicator, or one you may not see"},
    "records.bad_query.scope": {"zh": "该区划不在您的查看范围内", "en": "this region is outside what you may see"},
    "records.bad_query.theme": {
        "zh": "这些记录不在您所在部门的主题范围内",
        "en": "these records are outside your department's themes",
    },
    "records.bad_query.missing": {
        "zh": "链接需要 indicator、region、period（或 feed、region）参数",
        "en": "the link needs indicator, region and period (or feed and region)",
    },
    "records.no_snapshot": {"zh": "尚未发布指标快照，暂无记录可列。", "en": "No indicator snapshot is published yet: no records to list."},
    "records.no_rows": {"zh": "没有符合条件的记录", "en": "No rows match"},
    "records.loading": {"zh": "正在加载…", "en": "Loading…"},
    "records.true": {"zh": "是", "en": "Yes"},
    "records.false": {"zh": "否", "en": "No"},
    "records.personal_header": {"zh": "个人信息，已脱敏", "en": "Personal data, masked"},
}
