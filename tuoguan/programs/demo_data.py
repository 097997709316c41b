"""The demo classes: the ones the seed article names (中国妇女报, 2022), as data.

Read by demo.py, which creates them through the real services. Hosts are found by the names
of tuoguan/orgs/demo.py. Dates: summer 2021 (the article's year), the current year 2026, and
the coming winter holiday of 2027, whose adjusted working days are not announced yet.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from .models import FeePolicy, GroupKind, Operator, ProgramType, TermStatus

D = datetime.date
S = TermStatus

SUMMER_2021 = (D(2021, 7, 12), D(2021, 8, 13))  # 25 working days, no holiday
SUMMER_2026 = (D(2026, 7, 13), D(2026, 8, 14))  # 25 working days, no holiday
AUTUMN_2026 = (D(2026, 9, 1), D(2027, 1, 22))  # a semester of after-school care
# Before the Spring Festival of 2027 (6 February); moved later when seeded after mid-December.
WINTER_2027 = (D(2027, 1, 18), D(2027, 2, 5))
CERTIFICATES_VALID_UNTIL = D(2029, 12, 31)


@dataclass(frozen=True)
class DemoVenue:
    name: str
    address: str
    indoor: int
    outdoor: int = 0
    exits: int = 2
    facilities: str = ""
    fire_expires: datetime.date | None = CERTIFICATES_VALID_UNTIL
    building: bool = True
    food: bool = True


@dataclass(frozen=True)
class DemoGroup:
    name: str
    capacity: int
    kind: str = GroupKind.SCHOOL
    grades: tuple[int | None, int | None] = (None, None)


@dataclass(frozen=True)
class DemoTerm:
    name: str
    dates: tuple[datetime.date, datetime.date]
    capacity: int
    status: str
    groups: tuple[DemoGroup, ...] = ()
    summary: str = ""
    reason: str = ""
    hours: tuple[int, int] = (8, 18)
    grades: tuple[int | None, int | None] = (1, 6)
    # Days run although the calendar has them off (a Saturday outing), and the reverse.
    add_days: tuple[datetime.date, ...] = ()
    remove_days: tuple[datetime.date, ...] = ()
    # (criterion code, "accepted" / "rejected" / "pending", reviewer's comment)
    evidence: tuple[tuple[str, str, str], ...] = ()
    volunteers: int = 0
    # Carers on the roster; None: enough for every group's ratio.
    carers: int | None = None


@dataclass(frozen=True)
class DemoProgram:
    host: str  # the union's full name in orgs/demo.py
    name: str
    type: str
    terms: tuple[DemoTerm, ...]
    venue: DemoVenue | None = None
    theme: str = ""
    featured: str = ""
    targets: tuple[str, ...] = ("dual_worker",)
    operator: str = Operator.SELF_RUN
    provider: tuple[str, str, datetime.date | None, datetime.date | None] = ("", "", None, None)
    fee: tuple[str, str | None] = (FeePolicy.FREE, None)
    contact: tuple[str, str] = ("", "")
    description: str = ""
    risk_notice: str = ""


def _two_groups(total: int) -> tuple[DemoGroup, ...]:
    half = total // 2
    return (
        DemoGroup("低年级组", half, grades=(1, 3)),
        DemoGroup("高年级组", total - half, grades=(4, 6)),
    )


CLOSED_2021 = (
    "第一期托管圆满结营：{n}名孩子参加，开展作业辅导、安全教育和兴趣课程，家长满意率100%。"
)
CLOSED_2026 = "暑期托管结营：{n}名孩子参加{days}天活动，无安全事故，家长满意度调查满意率98%。"
PROCEDURES = (
    ("proc_pickup", "accepted", "接送登记表齐全。"),
    ("proc_catering", "accepted", "餐饮留样记录规范。"),
    ("proc_epidemic", "accepted", ""),
    ("proc_emergency", "accepted", ""),
    ("proc_daily_inspection", "accepted", ""),
    ("proc_cleaning", "accepted", ""),
    ("proc_safety_patrol", "accepted", ""),
)

CETC_RISK_NOTICE = """《职工子女托管期间风险提示》
一、托管期间，孩子须由监护人或其书面指定的接送人按时接送，未经登记的人员不得接走孩子。
二、请如实告知孩子的健康状况、过敏史和特殊需要；孩子发热、咳嗽等身体不适时请勿送托。
三、托管场所设在公司园区内，孩子不得进入生产区域、实验室和施工区域，须在老师带领下活动。
四、户外活动和体育游戏可能造成磕碰、扭伤等意外，工会已为每名孩子投保意外伤害保险。
五、请勿让孩子携带贵重物品、尖锐物品和零食入托；手机由老师统一保管。
六、如遇突发情况，托管班将第一时间处置并通知监护人，请保持电话畅通。
监护人已阅读并知悉上述风险，同意孩子参加托管。"""

LINYI_COURSES = (
    "课程菜单（孩子与家长共同选择，每人每期选3门）：书法、国画、剪纸、非遗面塑、陶艺、围棋、"
    "象棋、国际象棋、乐高机器人、编程启蒙、科学实验、航模、合唱、古筝、非洲鼓、街舞、跆拳道、"
    "篮球、足球、乒乓球、防溺水安全课、急救知识、劳动实践、阅读写作、英语绘本。"
)


def summer_2021(places: int, **extra: Any) -> DemoTerm:
    """The first summer of the article (2021), long closed."""
    summary = CLOSED_2021.format(n=places)
    return DemoTerm(
        "2021年暑期", SUMMER_2021, places, S.CLOSED, _two_groups(places), summary, **extra
    )


def summer_2026(places: int, **extra: Any) -> DemoTerm:
    summary = CLOSED_2026.format(n=places, days=25)
    return DemoTerm(
        "2026年暑期", SUMMER_2026, places, S.CLOSED, _two_groups(places), summary, **extra
    )


def winter_2027(places: int, status: str = S.ENROLLING, **extra: Any) -> DemoTerm:
    """The coming winter holiday: enrolling now unless told otherwise."""
    return DemoTerm("2027年寒假", WINTER_2027, places, status, _two_groups(places), **extra)


TODDLER_GROUPS = (
    DemoGroup("乳儿班", 10, GroupKind.INFANT),
    DemoGroup("托小班", 15, GroupKind.TODDLER_SMALL),
    DemoGroup("托大班", 20, GroupKind.TODDLER_BIG),
)


def _huicheng(n: int, host: str, venue: DemoVenue) -> DemoProgram:
    """One of the 13 classes of Dalian's first 慧成长动力营 camp (2021)."""
    numerals = "一二三四五六七八九十"
    label = numerals[n - 1] if n <= 10 else f"十{numerals[n - 11]}"
    places = 30 if n % 3 else 40
    terms = [summer_2021(places, volunteers=1)]
    if n <= 4:
        terms.append(summer_2026(places, volunteers=1, evidence=PROCEDURES if n == 1 else ()))
    if n == 1:
        terms.append(winter_2027(places))
    if n in (5, 6):
        terms.append(winter_2027(places, S.SUBMITTED))
    return DemoProgram(
        host=host,
        name=f"慧成长动力营·第{label}班",
        type=ProgramType.HOLIDAY,
        theme="慧成长动力营",
        featured="作业辅导、安全自护、红色故事、科学小实验、海洋科普",
        targets=("dual_worker", "all_members"),
        venue=venue,
        contact=("刘海英", "0411-82801234"),
        terms=tuple(terms),
        description="大连市总工会“慧成长动力营”首期共开设13个班，为双职工家庭解决暑期看护难题。",
    )


TAOYUAN_HALL = DemoVenue(
    "桃源街道职工之家",
    "辽宁省大连市中山区桃源街道桃源街12号",
    indoor=220,
    outdoor=300,
    facilities="活动室2间、阅览室、午休室、卫生间、饮水设备、监控全覆盖",
)
PORT_HALL = DemoVenue(
    "大连港集团职工活动中心",
    "辽宁省大连市中山区港湾街1号",
    indoor=300,
    outdoor=500,
    exits=3,
    facilities="多功能厅、图书室、心理咨询室、医务室",
)
HONGQI_HALL = DemoVenue(
    "红旗街道党群服务中心", "辽宁省大连市甘井子区红旗街道", indoor=180, facilities="活动室、阅览室"
)

DALIAN = tuple(
    _huicheng(n, host, venue)
    for n, (host, venue) in enumerate(
        [("中山区桃源街道总工会", TAOYUAN_HALL)] * 7
        + [("大连港集团有限公司工会", PORT_HALL)] * 3
        + [("甘井子区红旗街道总工会", HONGQI_HALL)] * 3,
        start=1,
    )
)

LIAONING = (
    DemoProgram(
        host="沈阳高新区总工会",
        name="劳模精神伴我成长夏令营",
        type=ProgramType.HOLIDAY,
        theme="劳模精神伴我成长",
        featured="劳模进课堂、工匠小课堂、科技馆研学、职业体验",
        targets=("dual_worker", "all_members"),
        venue=DemoVenue("沈阳高新区职工服务中心", "辽宁省沈阳市浑南区创新路", 260, 200),
        contact=("赵敏", "024-23780000"),
        terms=(
            summer_2021(50, volunteers=2),
            summer_2026(50, volunteers=2),
            winter_2027(50, S.REJECTED, reason="请补充消防验收合格证明和食品经营许可证复印件。"),
        ),
    ),
    DemoProgram(
        host="抚顺雷锋纪念馆工会",
        name="学雷锋小小志愿者托管班",
        type=ProgramType.HOLIDAY,
        theme="学雷锋 做好人",
        featured="雷锋事迹讲解、小小讲解员培训、社区志愿服务",
        venue=DemoVenue("雷锋纪念馆青少年活动室", "辽宁省抚顺市望花区和平路东段", 150, 400),
        contact=("孙悦", "024-56690000"),
        terms=(
            summer_2021(30),
            # Too short: 10 care days where the standard asks for 20.
            DemoTerm(
                "2026年暑期（短期）",
                (D(2026, 7, 13), D(2026, 7, 24)),
                30,
                S.CLOSED,
                _two_groups(30),
                "短期托管10天，30名孩子参加。",
            ),
        ),
    ),
    DemoProgram(
        host="丹东克隆儿童会工会",
        name="生态农场自然课堂",
        type=ProgramType.HOLIDAY,
        theme="走进生态农场",
        featured="农耕体验、昆虫观察、自然笔记、食育课",
        # The fire certificate lapsed in 2025: the 2026 term fails the veto criterion.
        venue=DemoVenue(
            "克隆生态农场教室", "辽宁省丹东市振兴区", 160, 2000, fire_expires=D(2025, 6, 30)
        ),
        contact=("于洋", "0415-2150000"),
        terms=(summer_2021(30), summer_2026(30)),
    ),
)

SICHUAN = (
    DemoProgram(
        host="绵阳市中心医院工会",
        name="“医小宝”暑期托管班",
        type=ProgramType.HOLIDAY,
        theme="医小宝",
        featured="穿防护服体验、心肺复苏小课堂、口腔保健、七步洗手法",
        targets=("medical",),
        venue=DemoVenue("中心医院职工之家", "四川省绵阳市涪城区常家巷12号", 200, exits=3),
        contact=("罗志刚", "0816-2241234"),
        description="为一线医务人员子女提供暑期看护，医护人员轮班时孩子有人管。",
        terms=(
            summer_2021(40),
            summer_2026(40, evidence=PROCEDURES[:4]),
            winter_2027(
                40,
                evidence=(
                    ("proc_pickup", "pending", ""),
                    ("proc_catering", "rejected", "缺少食品留样记录，请补充。"),
                ),
            ),
        ),
    ),
    DemoProgram(
        host="仪陇县农民工服务中心工会",
        name="农民工子女爱心托管班",
        type=ProgramType.HOLIDAY,
        theme="留守不孤单",
        featured="作业辅导、亲情视频通话、心理陪伴、安全教育",
        targets=("migrant", "hardship"),
        venue=DemoVenue("新政镇农民工服务中心", "四川省南充市仪陇县新政镇", 140),
        contact=("何春梅", "0817-7220000"),
        description="连续三年为260余户农民工家庭提供托管服务。",
        terms=(summer_2021(30), winter_2027(30)),
    ),
    DemoProgram(
        host="东区阳城龙庭社区工会联合会",
        name="阳城龙庭社区四点半课堂",
        type=ProgramType.AFTER_SCHOOL,
        theme="四点半课堂",
        featured="放学后作业辅导、阅读、手工",
        # Too small a room for 30 pupils: 45 m² where 80 m² and 4 m² a child are asked.
        venue=DemoVenue("龙庭社区活动室", "四川省攀枝花市东区阳城龙庭社区", 45),
        contact=("李娟", "0812-3330000"),
        description="首批“全国工会爱心托管班”。",
        terms=(
            DemoTerm("2026年秋季学期", AUTUMN_2026, 30, S.RUNNING, _two_groups(30), hours=(16, 19)),
        ),
    ),
    DemoProgram(
        host="中电科航空电子有限公司工会",
        name="职工子女暑期托管班",
        type=ProgramType.HOLIDAY,
        theme="航空科普",
        featured="航空科普、模型制作、参观生产线（安全区域）",
        venue=DemoVenue("航电职工活动中心", "四川省成都市郫都区成都高新西区", 240, exits=3),
        contact=("周婷", "028-87550000"),
        risk_notice=CETC_RISK_NOTICE,
        terms=(summer_2021(40), summer_2026(40)),
    ),
    DemoProgram(
        host="中电科航空电子有限公司工会",
        name="航电职工子女托育室",
        type=ProgramType.TODDLER,
        theme="0–3岁托育",
        featured="乳儿班、托小班、托大班；晨午检，每天户外活动不少于2小时",
        targets=("dual_worker", "three_child"),
        venue=DemoVenue(
            "航电托育室",
            "四川省成都市郫都区成都高新西区职工之家一楼",
            260,
            120,
            facilities="寝室、盥洗室、哺乳室、监控全覆盖（录像保存90天）",
        ),
        contact=("周婷", "028-87550000"),
        risk_notice=CETC_RISK_NOTICE,
        terms=(
            DemoTerm(
                "2027年春季托育",
                (D(2027, 2, 22), D(2027, 6, 30)),
                45,
                S.ENROLLING,
                TODDLER_GROUPS,
                grades=(None, None),
            ),
        ),
    ),
)

JIANGSU = (
    DemoProgram(
        host="苏州市公安局工会",
        name="警苗成长营",
        type=ProgramType.HOLIDAY,
        theme="警营开放日",
        featured="红色故事、苏州非遗（评弹、苏绣）、警务职业体验",
        targets=("police",),
        venue=DemoVenue("公安局职工之家", "江苏省苏州市姑苏区", 200),
        contact=("沈磊", "0512-65220000"),
        terms=(summer_2021(40), winter_2027(40)),
    ),
    DemoProgram(
        host="六合区马鞍街道总工会",
        name="马鞍街道新市民子女暑托班",
        type=ProgramType.HOLIDAY,
        featured="作业辅导、体育游戏、防溺水教育",
        targets=("migrant",),
        venue=DemoVenue("马鞍街道社区教育中心", "江苏省南京市六合区马鞍街道", 160),
        contact=("陈芳", "025-57520000"),
        description="免费为外出务工人员子女提供暑期托管。",
        terms=(summer_2021(40), winter_2027(40)),
    ),
    DemoProgram(
        host="建湖县沿河镇总工会",
        name="沿河镇农民工子女爱心暑托班",
        type=ProgramType.HOLIDAY,
        featured="作业辅导、乡村阅读、手工",
        targets=("migrant",),
        venue=DemoVenue("沿河镇文化站", "江苏省盐城市建湖县沿河镇", 130),
        contact=("王霞", "0515-86300000"),
        description="免费托管，服务农民工子女。",
        terms=(summer_2021(30), summer_2026(30)),
    ),
    DemoProgram(
        host="扬州市职工服务中心工会",
        name="“加油少年群”线上托管",
        type=ProgramType.ONLINE,
        theme="加油少年群",
        featured="线上作业答疑、每日打卡、名师直播课、亲子阅读",
        targets=("all_members",),
        contact=("钱晨", "0514-87340000"),
        description="疫情期间开设的线上托管群，为居家隔离的职工子女提供陪伴。",
        terms=(
            DemoTerm(
                "2021年暑期（线上）",
                SUMMER_2021,
                200,
                S.CLOSED,
                summary="线上托管：200名孩子入群，开展直播课40节。",
                hours=(9, 17),
            ),
        ),
    ),
)

INNER_MONGOLIA = (
    DemoProgram(
        host="托克托县职工服务中心工会",
        name="托克托县职工子女暑期托管班",
        type=ProgramType.HOLIDAY,
        featured="作业辅导、蒙古族文化、体育活动",
        fee=(FeePolicy.LIVING_COSTS, "300.00"),
        venue=DemoVenue("托克托县职工服务中心", "内蒙古自治区呼和浩特市托克托县双河镇", 180),
        contact=("乌兰", "0471-8520000"),
        description="县总工会负责场地和师资，家长只交伙食费。",
        terms=(summer_2021(40), winter_2027(40)),
    ),
    DemoProgram(
        host="霍林郭勒市职工服务中心工会",
        name="大学生志愿者爱心托管班",
        type=ProgramType.HOLIDAY,
        featured="内蒙古师范大学志愿者授课：美术、音乐、科学",
        venue=DemoVenue("霍林郭勒市职工之家", "内蒙古自治区通辽市霍林郭勒市", 170),
        contact=("包丽", "0475-7920000"),
        description="与内蒙古师范大学签订志愿服务协议，每期由大学生志愿者轮班授课。",
        terms=(summer_2021(40, volunteers=4), summer_2026(40, volunteers=4)),
    ),
    DemoProgram(
        host="中国联合网络通信有限公司内蒙古自治区分公司工会",
        name="联通职工子女托管班（购买服务）",
        type=ProgramType.HOLIDAY,
        featured="专业机构托管；教室装有摄像头，家长可在手机上查看实时画面",
        operator=Operator.PURCHASED,
        provider=(
            "呼和浩特市童心教育服务有限公司",
            "91150105MA0000000X",
            D(2026, 6, 1),
            D(2027, 5, 31),
        ),
        venue=DemoVenue(
            "联通综合楼三层托管教室",
            "内蒙古自治区呼和浩特市赛罕区",
            220,
            facilities="教室3间，每间装有摄像头（家长端实时查看）",
        ),
        contact=("高娜", "0471-6660000"),
        description="为十个分支机构的职工子女购买专业托管服务。",
        terms=(summer_2026(45),),
    ),
)

SHANDONG = (
    DemoProgram(
        host="临沂高新区职工服务中心工会",
        name="高新区职工子女托管班",
        type=ProgramType.HOLIDAY,
        theme="课程超市",
        featured=LINYI_COURSES,
        venue=DemoVenue("高新区职工服务中心", "山东省临沂市临沂高新技术产业开发区", 400, exits=4),
        contact=("张倩", "0539-8710000"),
        terms=(
            DemoTerm(
                "2026年暑期",
                SUMMER_2026,
                80,
                S.CLOSED,
                (
                    DemoGroup("一二年级", 30, grades=(1, 2)),
                    DemoGroup("三四年级", 25, grades=(3, 4)),
                    DemoGroup("五六年级", 25, grades=(5, 6)),
                ),
                CLOSED_2026.format(n=80, days=25),
            ),
            winter_2027(60),
        ),
    ),
)

SHAANXI = (
    DemoProgram(
        host="雁塔区电子城街道总工会",
        name="电子城街道职工子女托育园",
        type=ProgramType.TODDLER,
        theme="0–3岁托育",
        featured="按国家托育标准分班：乳儿班、托小班、托大班",
        targets=("dual_worker", "three_child"),
        fee=(FeePolicy.FEE, "800.00"),
        venue=DemoVenue(
            "电子城街道托育中心",
            "陕西省西安市雁塔区电子城街道",
            300,
            150,
            facilities="乳儿室、睡眠室、盥洗室、户外游戏场",
        ),
        contact=("杜敏", "029-88320000"),
        terms=(
            DemoTerm(
                "2026年秋季托育",
                AUTUMN_2026,
                45,
                S.RUNNING,
                TODDLER_GROUPS,
                grades=(None, None),
                hours=(7, 18),
            ),
        ),
    ),
    DemoProgram(
        host="西安电子科技大学工会",
        name="西电教职工子女寒假托管班",
        type=ProgramType.HOLIDAY,
        featured="科学实验、编程启蒙、体育",
        venue=DemoVenue("西电附属小学教室", "陕西省西安市雁塔区太白南路2号", 200),
        contact=("韩雪", "029-88200000"),
        terms=(winter_2027(40, S.DRAFT),),
    ),
)

PROGRAMS: tuple[DemoProgram, ...] = (
    *DALIAN,
    *LIAONING,
    *SICHUAN,
    *JIANGSU,
    *INNER_MONGOLIA,
    *SHANDONG,
    *SHAANXI,
)

CARER_NAMES = (
    "张晓燕", "王丽君", "李红梅", "赵静", "刘芳", "陈雪", "杨帆", "黄敏", "周丹", "吴倩",
    "徐婷", "孙莉", "马云霞", "朱琳", "胡月", "郭佳", "何颖", "高洁", "林娜", "罗雯",
)  # fmt: skip
VOLUNTEER_NAMES = ("白宇航", "宋佳怡", "韩雨桐", "冯子涵")
