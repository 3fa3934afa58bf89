"""Strings of the infrastructure and digital government page (/infrastructure)."""

STRINGS = {
    "infra.title": {"zh": "基础设施与数字政府", "en": "Infrastructure and digital government"},
    "infra.lead": {
        "zh": "感知设备是否在线、哪里在报警，政务云与公共数据平台用得如何，政务系统发生了多少安全事件。",
        "en": "Whether the sensors are online and where they alarm, how the government cloud and the public data "
              "platform are used, and how many security events hit government systems.",
    },
    "infra.sensor_type": {"zh": "设备类型", "en": "Sensor type"},
    "infra.types": {"zh": "感知设备按类型（当前状态）", "en": "Sensors by type (current status)"},
    "infra.types.note": {
        "zh": "按最近3天数据判断报警、预警；点击类型筛选下方地区表。在线率等指标不按类型拆分。",
        "en": "Alarm and warning judged on the last 3 days of data; click a type to filter the region table. "
              "Rates such as online share are not split by type.",
    },
    "infra.types.sensors": {"zh": "设备数", "en": "Sensors"},
    "infra.types.alarm": {"zh": "报警", "en": "In alarm"},
    "infra.types.warning": {"zh": "预警", "en": "Warning"},
    "infra.types.normal": {"zh": "正常", "en": "Normal"},
    "infra.types.none": {"zh": "该地区无感知设备。", "en": "No sensors in this region."},
    "infra.regions": {"zh": "下辖{level}感知设备（{period}）", "en": "Sensors by {level} ({period})"},
    "infra.regions.type": {"zh": "下辖{level}{type}设备（当前状态）", "en": "{type} sensors by {level} (current status)"},
    "infra.col.region": {"zh": "地区", "en": "Region"},
    "infra.platform": {"zh": "政务云与公共数据平台", "en": "Government cloud and public data platform"},
    "infra.platform.below": {
        "zh": "政务云与数据平台数据统计到市级，{level}无数据。",
        "en": "Cloud and data-platform figures are counted down to the city; a {level} has none.",
    },
    "infra.cloud": {"zh": "政务云资源使用率", "en": "Government cloud utilisation"},
    "infra.cloud.band": {"zh": "vCPU 合理区间 {low}–{high}%", "en": "vCPU healthy band {low}–{high}%"},
    "infra.data": {"zh": "公共数据归集、共享与调用", "en": "Public data collected, shared and called"},
    "infra.platform_regions": {"zh": "各市政务云与数据共享（{period}）", "en": "Cloud and data sharing by city ({period})"},
    "infra.security": {"zh": "网络安全事件", "en": "Security events"},
    "infra.security_regions": {"zh": "下辖{level}安全事件（{period}）", "en": "Security events by {level} ({period})"},
    "infra.security.note": {
        "zh": "事件类别、严重程度的分类统计尚未计算（指标未定义按类别拆分）。",
        "en": "Counts by category and severity are not computed yet (the indicators declare no such split).",
    },
    "infra.none": {"zh": "该期无数据。", "en": "No values for this period."},
}
