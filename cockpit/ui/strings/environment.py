"""Strings of 生态环境 (/environment)."""

STRINGS = {
    "environment.nav": {"zh": "生态环境", "en": "Environment"},
    "environment.title": {"zh": "生态环境", "en": "Ecological environment"},
    "environment.lead": {
        "zh": "空气和水质量是否达到目标：优良天数比例、PM2.5，分站点、分地区；地表水断面水质类别；固废转移联单。",
        "en": "Are air and water meeting their targets: good-air days and PM2.5 by station and region, river sections by "
              "grade, and the waste moved on transfer manifests.",
    },
    "environment.records": {"zh": "明细记录", "en": "Records"},
    "environment.cross.station_class": {"zh": "站点类别", "en": "Station class"},
    "environment.cross.grade": {"zh": "水质类别", "en": "Water grade"},
    "environment.cross.waste_class": {"zh": "固废类别", "en": "Waste class"},
    "environment.class.national": {"zh": "国控", "en": "National"},
    "environment.class.provincial": {"zh": "省控", "en": "Provincial"},
    "environment.class.city": {"zh": "市控", "en": "City"},
    "environment.kpis.note": {
        "zh": "指标数值（本行、趋势、各地区表和地图填色）不受“{filter}”筛选影响：指标未按此维度拆分。",
        "en": "The indicator values (this row, the trends, the regions table and the map's fill) are not filtered "
              "by {filter}: the indicators are not split by it.",
    },
    "environment.map.title": {"zh": "各{level}{name}（{period}）", "en": "{name} by {level} ({period})"},
    "environment.map.hint": {
        "zh": "点击地区下钻一级；圆点为空气质量监测站点（红色：最新AQI超过100）。",
        "en": "Click a region to drill down one level; dots are the air-quality stations (red: latest AQI above 100).",
    },
    "environment.map.points": {"zh": "地图上只显示{value}站点。", "en": "Only {value} stations are shown."},
    "environment.map.coverage": {
        "zh": "{name}统计到{deepest}，{level}没有数值；地图只标出监测站点，点击地区仍可下钻。",
        "en": "{name} is counted down to {deepest}; a {level} has no value. The map shows the stations only; "
              "clicking a region still drills down.",
    },
    "environment.stations.of": {"zh": "空气质量监测站点（{value} {n}/{total}个）",
                                "en": "Air-quality stations ({value}: {n} of {total})"},
    "environment.stations.by_class": {"zh": "按类别筛选：", "en": "By class:"},
    "environment.stations.pick": {"zh": "只看{value}站点（再次点击取消）", "en": "Only {value} stations (click again to clear)"},
    "environment.sections.of": {"zh": "（{grade}类 {n}个）", "en": " (grade {grade}: {n})"},
    "environment.sections.none_of": {"zh": "本期没有{grade}类断面。", "en": "No section was graded {grade} in the period."},
    "environment.manifests.class_trend": {"zh": "{name}转移量趋势", "en": "{name}: tons over time"},
    "environment.manifests.class_records": {"zh": "{name}联单明细", "en": "{name} manifests"},
    "environment.trend.target": {"zh": "目标 {value}", "en": "target {value}"},
    "environment.trend.footer": {"zh": "虚线为目标值", "en": "The dashed line is the target"},
    "environment.children.title": {"zh": "各{level}空气与水质（{period}）", "en": "Air and water by {level} ({period})"},
    "environment.children.name": {"zh": "地区", "en": "Region"},
    "environment.children.target": {"zh": "{name}（目标{value}）", "en": "{name} (target {value})"},
    "environment.children.footer": {
        "zh": "点击地区名称下钻；未列出的{level}没有监测站点或断面。红色为未达目标。",
        "en": "Click a name to drill down; a {level} not listed has no station or section. Red: target missed.",
    },
    "environment.stations.title": {"zh": "空气质量监测站点（{n}个）", "en": "Air-quality stations ({n})"},
    "environment.stations.latest": {"zh": "最新小时数据：{time}", "en": "Latest hourly readings: {time}"},
    "environment.stations.name": {"zh": "站点", "en": "Station"},
    "environment.stations.class": {"zh": "类别", "en": "Class"},
    "environment.stations.county": {"zh": "区县", "en": "County"},
    "environment.stations.hour": {"zh": "时间", "en": "Hour"},
    "environment.stations.none": {"zh": "本地区没有空气质量监测站点。", "en": "This region has no air-quality station."},
    "environment.stations.silent": {"zh": "近{hours}小时无数据", "en": "no data for {hours} h"},
    "environment.stations.footer": {
        "zh": "按最新AQI从高到低排列；点击AQI查看该站点本期的小时记录。",
        "en": "Worst AQI first; click an AQI for the station's hourly records of the period.",
    },
    "environment.sections.title": {"zh": "地表水断面水质（{month}）", "en": "River and lake sections ({month})"},
    "environment.sections.none": {"zh": "本地区本期没有断面监测数据。", "en": "No section of this region was graded in the period."},
    "environment.sections.name": {"zh": "断面", "en": "Section"},
    "environment.sections.water": {"zh": "水体", "en": "River or lake"},
    "environment.sections.grade": {"zh": "水质", "en": "Grade"},
    "environment.sections.target": {"zh": "目标", "en": "Target"},
    "environment.sections.meets": {"zh": "达标", "en": "Met"},
    "environment.sections.yes": {"zh": "是", "en": "yes"},
    "environment.sections.no": {"zh": "否", "en": "no"},
    "environment.sections.count": {"zh": "断面数", "en": "Sections"},
    "environment.sections.share": {
        "zh": "Ⅰ～Ⅲ类断面比例 {share}（{good}/{total}个）",
        "en": "At grade III or better: {share} ({good} of {total})",
    },
    "environment.sections.footer": {
        "zh": "点击柱形只看该类别的断面（再次点击取消）；“明细记录”为所列断面的月报记录。",
        "en": "Click a bar to list the sections of that grade (again to clear); Records: the listed sections' monthly records.",
    },
    "environment.manifests.title": {"zh": "固废转移联单：转移量（{period}）", "en": "Waste on transfer manifests ({period})"},
    "environment.manifests.where": {
        "zh": "联单按{levels}统计，请选择下级地区。",
        "en": "Manifests are counted by {levels}: choose a region below.",
    },
    "environment.manifests.footer": {
        "zh": "本地区产废单位在本期创建的联单，按固废类别；点击柱形只看该类别（再次点击取消）。",
        "en": "Manifests created in the period by the region's producers, by class; click a bar to pick a class "
              "(again to clear).",
    },
}
