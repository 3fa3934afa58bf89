"""Strings of the Waste-Free Index page (/waste-free)."""

STRINGS = {
    "wf.title": {"zh": "无废指数", "en": "Waste-Free Index"},
    "wf.lead": {
        "zh": "各地无废城市建设的强项与短板：27项二级指标得分亮晒、9个维度对比平均、排名变化及其原因。",
        "en": "Where each place is strong or weak on the Waste-Free City work: 27 indicator scores side by side, "
              "9 dimensions against the average, rank movement and what moved it.",
    },
    "wf.dimension": {"zh": "一级指标", "en": "Dimension"},
    "wf.ranking": {"zh": "{group}下辖{level}排名 · {indicator}", "en": "Ranking within {group} ({level}) · {indicator}"},
    "wf.heatmap": {"zh": "二级指标得分亮晒（{n}项）", "en": "Indicator scores side by side ({n})"},
    "wf.heatmap.note": {
        "zh": "得分为同级比较的标准化得分（功效系数法：组内最弱60分、最强100分；农业、设施维度为绝对得分）。"
              "点击维度名筛选其他面板，点击地区下钻。",
        "en": "Scores are normalised among peers (weakest 60, best 100; the agricultural and facilities dimensions "
              "on absolute goalposts). Click a dimension to filter the other panels, a region to drill into it.",
    },
    "wf.heatmap.none": {"zh": "无得分", "en": "no score"},
    "wf.legend": {"zh": "得分：", "en": "Score:"},
    "wf.radar": {"zh": "{name} 九个维度与平均", "en": "{name}: nine dimensions against the average"},
    "wf.radar.average": {"zh": "同级{n}地平均", "en": "Mean of {n} peers"},
    "wf.radar.note": {
        "zh": "平均为同一上级下全部同级地区维度得分的算术平均（含本地）。点击维度筛选。",
        "en": "The average is the plain mean of the dimension scores of every peer under the same parent (this one "
              "included). Click a dimension to filter.",
    },
    "wf.history": {"zh": "排名变化（近{n}期）· {indicator}", "en": "Rank movement (last {n} periods) · {indicator}"},
    "wf.history.axis": {"zh": "名次", "en": "Rank"},
    "wf.explained": {"zh": "各地得分变化原因（{period}）", "en": "What moved each score ({period})"},
    "wf.explained.none": {"zh": "无上期数据可比较。", "en": "No previous period to compare with."},
    "wf.detail": {"zh": "{name} 指数构成", "en": "{name}: what the index is made of"},
    "wf.leader_note": {
        "zh": "{group}本身不计算无废指数，此处展开排名第一的{name}；点击排名或表格中的地区查看其他地区。",
        "en": "The index is not computed for {group} itself: shown here is the leader, {name}. Click a region in the "
              "ranking or table to see another.",
    },
    "wf.records": {"zh": "查看{name}的危废转移联单", "en": "Transfer manifests of {name}"},
    "wf.none": {"zh": "该期无无废指数数据。", "en": "No Waste-Free Index values for this period."},
    "wf.col.rank": {"zh": "名次", "en": "Rank"},
    "wf.col.region": {"zh": "地区", "en": "Region"},
}
