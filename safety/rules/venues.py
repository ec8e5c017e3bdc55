"""Venue safety checks (活动场所安全检查, R29, issue 11 §6): the built-in checklists, which check categories apply to
which kind of venue, the default schedules, and when a check falls due. Pure: no database, no request.

The checklists are data on purpose, in the wording of the county plan's safety chapter (交通、场地、消防、食品卫生、
安全保卫). A county that wants its own list later moves CHECKLISTS into a county setting or a model without touching
the check screens: a check stores the wording of every item it walked, so old checks keep their own list.
"""

import datetime

TRAFFIC, BUILDING, FIRE, FOOD, SECURITY, OUTSIDE = "traffic", "building", "fire", "food", "security", "outside"

# Category -> the items a check walks, one screen, 合格 / 不合格 each.
CHECKLISTS: dict[str, tuple[str, ...]] = {
    TRAFFIC: (
        "校车证照齐全、车况良好，按期年检",
        "驾驶人资质合格，无酒驾、超速、超员记录",
        "随车照管人员在岗，学生上下车清点人数",
        "校门口交通标志、减速带、护栏完好",
        "放学时段有人员疏导交通、护送学生过马路",
    ),
    BUILDING: (
        "墙体、屋顶、楼板无裂缝、渗漏、脱落",
        "楼梯、走廊、栏杆牢固，高度符合要求",
        "门窗、玻璃完好，无松动破损",
        "电线、插座、开关无裸露老化",
        "体育器材、设施安装牢固，无锈蚀松动",
        "地面平整防滑，无积水、杂物",
    ),
    FIRE: (
        "灭火器在有效期内",
        "疏散通道畅通",
        "应急照明完好",
        "安全出口标识清晰",
        "消防栓完好，水压正常",
        "无私拉乱接电线，无违规使用大功率电器",
    ),
    FOOD: (
        "食品经营许可证在有效期内",
        "从业人员持有效健康证明上岗",
        "食材进货查验和索证索票记录齐全",
        "餐具清洗消毒到位，留样48小时",
        "生熟分开，冷藏冷冻设施温度正常",
        "操作间防鼠、防蝇、防尘设施完好",
    ),
    SECURITY: (
        "门卫在岗，外来人员登记",
        "视频监控运行正常，录像保存30天以上",
        "一键报警装置完好，与公安联网",
        "防护器械（钢叉、盾牌等）配备齐全",
        "课后服务期间校园内有值班人员巡查",
    ),
    OUTSIDE: (
        "场所证照齐全，与学校签订安全协议",
        "场所消防设施完好，疏散通道畅通",
        "活动有专人带队，往返途中有人护送",
        "场所设施设备安全，无危险物品",
        "有应急预案和急救药品",
    ),
}

# Category -> every how many days it falls due by default (the school may change it per venue).
DEFAULT_EVERY_DAYS: dict[str, int] = {TRAFFIC: 7, BUILDING: 30, FIRE: 30, FOOD: 7, SECURITY: 30, OUTSIDE: 30}

# Venue kind -> the categories that apply to it by default.
CATEGORIES_FOR_KIND: dict[str, tuple[str, ...]] = {
    "classroom": (BUILDING, FIRE),
    "playground": (BUILDING, SECURITY),
    "gym": (BUILDING, FIRE),
    "canteen": (FOOD, FIRE, BUILDING),
    "dormitory": (BUILDING, FIRE, SECURITY),
    "bus": (TRAFFIC,),
    "outside": (OUTSIDE, FIRE),
}

MAX_EVERY_DAYS = 365


def checklist(category: str) -> tuple[str, ...]:
    return CHECKLISTS[category]


def default_schedule(kind: str) -> dict[str, int]:
    """The categories a new venue of `kind` gets, each with its default interval in days."""
    return {category: DEFAULT_EVERY_DAYS[category] for category in CATEGORIES_FOR_KIND[kind]}


def next_due(*, last_checked_on: datetime.date | None, every_days: int, since: datetime.date) -> datetime.date:
    """The day the next check is due: `every_days` after the last one; a venue never checked is due from the day
    it was added (`since`): a new venue is checked at once."""
    if last_checked_on is None:
        return since
    return last_checked_on + datetime.timedelta(days=every_days)


def week_end(today: datetime.date) -> datetime.date:
    """The Sunday of today's week: "本周待检" lists what falls due up to then."""
    return today + datetime.timedelta(days=6 - today.weekday())


def due_this_week(due: datetime.date, today: datetime.date) -> bool:
    return due <= week_end(today)
