"""Default categories and SLA policies from the seeds; loaded by a data migration.

The seed figures (000, 002, 003): dispatch within 10 minutes of receipt; urgent repairs
answered within 2 h; normal repairs within 1 working day; complaints handled within 24 h
and fed back within 48 h; investigation within a set number of working days of dispatch.
Administrators edit all of these afterwards.
"""

CATEGORIES: dict[str, list[str]] = {
    # 000 names 墙体/梁, 门窗 and 楼地面/屋面/顶棚 as the parts with the most defects.
    "土建": ["墙体/梁", "门窗", "楼地面/屋面/顶棚", "外墙", "公共部位"],
    "水电": ["给排水", "电气", "燃气", "暖通空调"],
    "防水渗漏": ["屋面渗漏", "卫生间渗漏", "外墙渗漏", "门窗渗漏", "地下室渗漏"],
    "设备设施": ["电梯", "消防", "智能化/门禁", "园林景观"],
    "装修": ["墙面/顶棚抹灰", "地面空鼓开裂", "五金/洁具/灯具"],
    "服务": ["销售承诺", "交付/办证", "客服服务", "物业服务", "其他"],
}

# (name, type, urgency, [(milestone, clock, amount, at_risk_share, pauses_on_hold)])
POLICIES = [
    (
        "紧急报修",
        "repair",
        "urgent",
        [
            ("dispatch", "wall", 10, "0.80", False),
            ("response", "wall", 120, "0.75", True),
            ("completion", "working_days", 1, "0.50", True),
        ],
    ),
    (
        "一般报修",
        "repair",
        "normal",
        [
            ("dispatch", "wall", 10, "0.80", False),
            ("response", "working_days", 1, "0.50", True),
            ("completion", "working_days", 7, "0.70", True),
        ],
    ),
    (
        "投诉",
        "complaint",
        "",
        [
            ("dispatch", "wall", 10, "0.80", False),
            ("initial_handling", "wall", 24 * 60, "0.75", True),
            ("feedback", "wall", 48 * 60, "0.75", True),
            ("investigation_start", "working_days", 2, "0.50", True),
        ],
    ),
    (
        "咨询",
        "enquiry",
        "",
        [
            ("dispatch", "wall", 10, "0.80", False),
            ("completion", "working_days", 1, "0.50", True),
        ],
    ),
    ("建议", "suggestion", "", [("dispatch", "wall", 10, "0.80", False)]),
    ("表扬", "praise", "", [("dispatch", "wall", 10, "0.80", False)]),
]

OFFICIAL_YEARS = range(2020, 2027)
