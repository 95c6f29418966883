"""What owners report to the demo service desk, and what the staff write back.

Categories are paths of the seeded tree (`anju/servicedesk/seed.py`); `{room}` in a text
is filled with one of the entry's rooms, which also becomes the defect location.
"""

from dataclasses import dataclass

ENGINEERING = "engineering"
CONTRACTOR = "contractor"
CUSTOMER_SERVICE = "customer_service"
PROPERTY = "property"

WET_ROOMS = ("主卫", "次卫")
ROOMS = ("客厅", "主卧", "次卧", "书房")
FACADE = "防水渗漏 › 外墙渗漏"


@dataclass(frozen=True)
class Issue:
    """A defect an owner reports as a repair."""

    category: str
    text: str
    fix: str
    rooms: tuple[str, ...] = ("",)
    weight: int = 1


@dataclass(frozen=True)
class Grievance:
    """A complaint, what the investigation finds and the plan the manager approves."""

    category: str
    text: str
    findings: str
    plan: str
    outcome: str
    department: str = CUSTOMER_SERVICE
    rooms: tuple[str, ...] = ("",)

    @property
    def by_engineering(self) -> bool:
        return self.department in (ENGINEERING, CONTRACTOR)


@dataclass(frozen=True)
class Request:
    """An enquiry, a suggestion or praise, and the answer given."""

    category: str
    text: str
    answer: str


REPAIRS = (
    Issue(
        "防水渗漏 › 卫生间渗漏",
        "{room}淋浴区墙角渗水，楼下住户反映天花板有水渍",
        "重做{room}淋浴区防水层，闭水试验48小时，楼下无渗水",
        WET_ROOMS,
        5,
    ),
    Issue(
        "防水渗漏 › 卫生间渗漏",
        "{room}马桶底座周边地面返潮，瓷砖缝发黑",
        "更换马桶密封法兰并重新打胶，地面已干燥",
        WET_ROOMS,
        2,
    ),
    Issue(
        "防水渗漏 › 门窗渗漏",
        "下雨时{room}窗台内侧渗水，墙面潮湿",
        "疏通窗框排水孔，外侧重新打密封胶，淋水试验无渗漏",
        ROOMS,
        3,
    ),
    Issue(
        FACADE,
        "连续降雨后{room}外墙内侧墙皮起鼓、发霉",
        "吊篮作业修补外墙裂缝并涂刷防水涂料，内墙重新批荡",
        ROOMS[:3],
        2,
    ),
    Issue("防水渗漏 › 屋面渗漏", "顶层{room}天花板雨后滴水", "屋面防水卷材局部修补", ROOMS[1:3]),
    Issue(
        "防水渗漏 › 地下室渗漏",
        "{room}车位上方渗水，车辆被滴脏",
        "顶板裂缝注浆堵漏，观察一周无渗水",
        ("地下车库B1层", "地下车库B2层"),
    ),
    Issue(
        "土建 › 门窗", "{room}推拉门关闭不严，漏风", "调整门扇滑轮并更换密封条", ("客厅", "阳台")
    ),
    Issue("土建 › 门窗", "{room}窗户执手松动，无法锁闭", "更换窗户执手及传动器", ROOMS, 2),
    Issue("土建 › 门窗", "入户门门锁卡滞，钥匙难以转动", "更换入户门锁芯", ("入户门",)),
    Issue(
        "土建 › 墙体/梁",
        "{room}墙面出现一条约1米长的斜向裂缝",
        "经工程师判定为非结构性裂缝，已开槽挂网修补并重新涂刷",
        ROOMS,
        2,
    ),
    Issue(
        "土建 › 楼地面/屋面/顶棚",
        "{room}地面瓷砖空鼓，踩上去有响声",
        "切除空鼓瓷砖，重新铺贴",
        ("客厅", "厨房", "餐厅"),
        2,
    ),
    Issue("水电 › 给排水", "厨房水槽下水缓慢，疑似管道堵塞", "疏通厨房排水立管", ("厨房",), 2),
    Issue("水电 › 给排水", "阳台地漏返臭味", "更换防臭地漏芯", ("阳台",)),
    Issue("水电 › 给排水", "{room}热水管接口滴水", "更换热水管接头", WET_ROOMS),
    Issue("水电 › 电气", "{room}插座一通电就跳闸", "更换受潮插座，线路绝缘测试合格", ROOMS, 2),
    Issue("水电 › 电气", "入户配电箱漏电保护开关频繁跳闸", "排查厨房回路漏电点并修复", ("配电箱",)),
    Issue("设备设施 › 电梯", "单元电梯运行时有明显异响", "维保单位更换导靴，运行正常", ("电梯",)),
    Issue("设备设施 › 智能化/门禁", "单元门禁刷卡无反应", "更换门禁读卡器", ("单元大堂",)),
    Issue("设备设施 › 智能化/门禁", "可视对讲室内机无图像", "更换室内机", ("玄关",)),
    Issue(
        "装修 › 墙面/顶棚抹灰",
        "{room}顶棚乳胶漆开裂、起皮",
        "铲除开裂腻子，重新批刮并涂刷",
        ROOMS,
        2,
    ),
    Issue(
        "装修 › 地面空鼓开裂",
        "{room}木地板起拱、缝隙变大",
        "拆除起拱地板，留足伸缩缝后重铺",
        ROOMS[1:],
    ),
    Issue("装修 › 五金/洁具/灯具", "{room}马桶水箱一直漏水", "更换水箱进水阀", WET_ROOMS, 2),
    Issue("装修 › 五金/洁具/灯具", "厨房龙头底座松动漏水", "更换厨房龙头", ("厨房",)),
    Issue("装修 › 五金/洁具/灯具", "{room}浴室柜门铰链脱落", "更换柜门铰链", WET_ROOMS),
)

URGENT_REPAIRS = (
    Issue(
        "水电 › 燃气",
        "厨房闻到明显燃气味，业主已关闭总阀",
        "会同燃气公司检测，更换表前阀门接头，复检无泄漏",
        ("厨房",),
    ),
    Issue(
        "设备设施 › 电梯",
        "电梯困人，一位老人被困在轿厢内",
        "维保单位到场解困，检修平层感应器",
        ("电梯",),
    ),
    Issue(
        "水电 › 给排水",
        "{room}水管爆裂，室内大面积积水",
        "关闭入户总阀，更换爆裂的管件并协助清理积水",
        ("厨房", "主卫", "次卫"),
    ),
    Issue(
        "水电 › 电气", "全屋突然断电，总闸无法合上", "更换损坏的总开关，线路检测无短路", ("配电箱",)
    ),
    Issue(
        "防水渗漏 › 卫生间渗漏",
        "楼上卫生间漏水严重，{room}天花板大量滴水",
        "关闭楼上进水阀止漏，次日重做楼上卫生间防水",
        WET_ROOMS,
    ),
)

COMPLAINTS = (
    Grievance(
        "防水渗漏 › 卫生间渗漏",
        "卫生间渗漏已报修三次仍未修好，楼下邻居要求赔偿，对维修质量非常不满",
        "前两次仅做表面打胶，防水层破损点未找到",
        "由总包单位整体重做卫生间防水，闭水试验48小时，并承担楼下吊顶修复费用",
        "卫生间防水已重做，闭水试验合格，楼下吊顶已修复",
        ENGINEERING,
        WET_ROOMS,
    ),
    Grievance(
        "服务 › 客服服务",
        "报修后三天无人联系，打了多次电话都说在安排，对处理速度不满",
        "派单后维修人员休假，工单未及时转派",
        "向业主致歉，当日重新派单上门；完善休假转派制度",
        "已上门维修完毕，并向业主致歉",
    ),
    Grievance(
        "服务 › 销售承诺",
        "销售时承诺的小区幼儿园至今未开办，要求给出明确时间",
        "幼儿园已竣工，教育局办学审批尚在办理",
        "书面告知业主审批进度及预计开园时间，每月公示一次进展",
        "已书面答复并在小区公告栏公示开园计划",
    ),
    Grievance(
        "服务 › 交付/办证",
        "交房已满一年，不动产权证仍未办下来",
        "分户测绘报告返工导致办证延迟",
        "协调测绘单位两周内出具报告，办证后短信通知业主领取",
        "测绘报告已出具，产权证已提交登记中心办理",
    ),
    Grievance(
        "服务 › 物业服务",
        "楼道长期堆放杂物无人清理，物业不作为",
        "物业保洁巡查不到位",
        "物业公司三日内清理楼道，此后每周巡查一次",
        "楼道杂物已清理，巡查记录已公示",
        PROPERTY,
    ),
    Grievance(
        "土建 › 墙体/梁",
        "{room}墙体裂缝越来越长，担心房屋结构安全",
        "经设计院复核为温度收缩裂缝，不影响结构安全",
        "出具设计院书面鉴定意见，修补裂缝并持续观察三个月",
        "鉴定意见已交业主，裂缝已修补",
        ENGINEERING,
        ROOMS,
    ),
    Grievance(
        "土建 › 门窗",
        "{room}窗户维修后仍然漏风，维修人员态度差",
        "窗扇变形，维修时仅调整未更换",
        "更换变形窗扇，对维修人员进行服务规范培训",
        "窗扇已更换，业主确认不再漏风",
        CONTRACTOR,
        ROOMS,
    ),
    Grievance(
        "设备设施 › 电梯",
        "电梯一个月内故障停运四次，家里老人上下楼很困难",
        "电梯主板受潮，故障反复",
        "维保单位更换电梯主板，每周增加一次巡检",
        "主板已更换，近两周运行无故障",
        CONTRACTOR,
    ),
)

FACADE_COMPLAINT = Grievance(
    FACADE,
    "雨后{room}外墙渗水、墙面发霉，同一栋楼好几户都有同样问题",
    "外墙分格缝密封胶老化开裂，整栋楼均有渗漏点",
    "对整栋楼外墙分格缝重新打胶并做淋水试验，受损内墙统一修复",
    "外墙已重新打胶，淋水试验无渗漏，内墙已修复",
    ENGINEERING,
    ROOMS[:3],
)
FACADE_TEXTS = (
    "雨后{room}外墙渗水、墙面发霉，同一栋楼好几户都有同样问题",
    "外墙渗漏报修过两次都没修好，要求开发商彻底解决",
    "{room}外墙内侧大面积水渍，孩子的房间没法住人",
    "下雨{room}墙角就渗水，听说楼上楼下都漏，要求给个说法",
    "外墙渗水把{room}的墙纸泡坏了，要求维修并赔偿",
)

ENQUIRIES = (
    Request("服务 › 交付/办证", "咨询不动产权证办理进度", "已告知办证进度，预计本月底可领取"),
    Request("", "咨询房屋保修期还剩多长时间", "已说明保修期：防水5年，门窗、水电2年，装修1年"),
    Request(
        "", "咨询装修申请需要准备哪些材料", "已告知需提供装修方案和施工单位资质，在物业中心办理"
    ),
    Request("服务 › 销售承诺", "咨询小区车位出售价格和政策", "已转销售中心，置业顾问将回电"),
    Request("服务 › 物业服务", "咨询物业费能否线上缴纳", "已告知可通过业主小程序在线缴纳"),
    Request("水电 › 燃气", "咨询燃气开通需要办理什么手续", "已告知燃气公司营业厅地址及所需材料"),
)

SUGGESTIONS = (
    Request(
        "设备设施 › 园林景观", "建议在儿童游乐区增加遮阳棚", "已转物业公司评估，计划明年春季实施"
    ),
    Request(
        "服务 › 物业服务", "建议小区增设电动车集中充电桩", "已转物业公司，计划下季度在地下车库增设"
    ),
    Request("服务 › 客服服务", "建议延长客服中心周末服务时间", "已纳入客服中心排班调整方案"),
)

PRAISE = (
    Request(
        "服务 › 客服服务",
        "表扬维修师傅上门准时、处理细致，卫生间渗漏一次修好",
        "已转达维修班组并通报表扬",
    ),
    Request("服务 › 客服服务", "感谢客服耐心解答办证问题", "已转达本人并通报表扬"),
    Request("服务 › 物业服务", "感谢物业在暴雨天及时疏通地库排水", "已转达物业公司"),
)

DISPATCH_NOTES = {
    ENGINEERING: "请工程部尽快联系业主上门查看",
    CONTRACTOR: "属总包保修范围，转总包单位维保人员处理",
    CUSTOMER_SERVICE: "请客服专员跟进",
    PROPERTY: "转物业公司协同处理",
}
REDISPATCH_NOTE = "现场查看后确认属总包保修范围，转总包单位处理"
START_NOTES = (
    "已电话联系业主，约定今天上门",
    "维修人员已到场查看",
    "已与业主确认上门时间",
    "已联系业主，现场勘查中",
)
HOLD_NOTES = {
    "materials": (
        "所需五金件缺货，等待厂家发货",
        "定制瓷砖需补货，预计三至五天到货",
        "等待总包单位调配防水材料",
    ),
    "owner": ("业主出差，约定回来后再上门", "业主要求周末上门"),
}
RESUME_NOTES = {"materials": "材料已到，继续施工", "owner": "已与业主约定上门时间"}
ESCALATE_NOTE = "业主多次催促，升级处理"
REOPEN_NOTE = "业主反映问题复发，重新处理"
CLOSE_NOTES = (
    "回访业主，确认已修复，业主满意",
    "电话回访，业主表示满意",
    "回访业主，确认问题已解决",
)
MERGE_NOTE = "同一业主重复报修，合并处理"
INVESTIGATION_NOTE = "已联系业主了解情况，安排现场核查"
FIRST_FEEDBACK = "已向业主说明初步调查情况，承诺尽快给出处理方案"
FIRST_RESPONSE = "业主表示等待处理方案"
FINAL_FEEDBACK = "回访业主，告知处理结果"
SATISFIED = ("满意，谢谢", "处理结果可以接受")
UNSATISFIED = ("基本认可，但希望以后处理快一些",)
REJECT_NOTE = "补偿标准需与法务确认后再提交"
REVISED = "（已按审批意见修改补偿标准）"
APPROVE_NOTE = "同意，按方案执行"
