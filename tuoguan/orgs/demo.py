"""The demo union tree: the unions named in the seed article (中国妇女报, 2022).

National → the six provinces of the article → cities → counties / districts → the grassroots
unions the article names, each with its real six-digit administrative division code
(行政区划代码). Grassroots unions carry the code of the district they sit in.

`demo_tree_ensure()` creates whatever is missing through the real services and finds the
rest by (region code, name), so seeding twice creates nothing new.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from .models import GrassrootsKind as K
from .models import Org
from .services import org_create, org_create_root


@dataclass(frozen=True)
class DemoOrg:
    name: str
    region_code: str
    short_name: str = ""
    kind: str = ""
    address: str = ""
    # How the demo people (accounts/demo.py) refer to this union; empty when nobody does.
    key: str = ""
    children: tuple["DemoOrg", ...] = ()


def _g(name: str, code: str, kind: str, address: str, key: str = "", short: str = "") -> DemoOrg:
    """A grassroots union (level 4): always has a kind and an address."""
    return DemoOrg(name, code, short_name=short, kind=kind, address=address, key=key)


LIAONING = DemoOrg(
    "辽宁省总工会",
    "210000",
    "辽宁",
    key="liaoning",
    children=(
        DemoOrg(
            "大连市总工会",
            "210200",
            "大连",
            key="dalian",
            children=(
                DemoOrg(
                    "大连市中山区总工会",
                    "210202",
                    "中山区",
                    key="dalian_zhongshan",
                    children=(
                        # Runs the 慧成长动力营 summer camp (first 13 classes in Dalian).
                        _g(
                            "中山区桃源街道总工会",
                            "210202",
                            K.COMMUNITY,
                            "辽宁省大连市中山区桃源街道",
                            key="dalian_taoyuan",
                            short="桃源街道",
                        ),
                        _g(
                            "大连港集团有限公司工会",
                            "210202",
                            K.ENTERPRISE,
                            "辽宁省大连市中山区港湾街1号",
                            short="大连港工会",
                        ),
                    ),
                ),
                DemoOrg(
                    "大连市甘井子区总工会",
                    "210211",
                    "甘井子区",
                    children=(
                        _g(
                            "甘井子区红旗街道总工会",
                            "210211",
                            K.COMMUNITY,
                            "辽宁省大连市甘井子区红旗街道",
                            short="红旗街道",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "沈阳市总工会",
            "210100",
            "沈阳",
            children=(
                DemoOrg(
                    "沈阳市浑南区总工会",
                    "210112",
                    "浑南区",
                    children=(
                        # 劳模精神伴我成长 summer camp.
                        _g(
                            "沈阳高新区总工会",
                            "210112",
                            K.INDUSTRIAL_PARK,
                            "辽宁省沈阳市浑南区",
                            short="沈阳高新区",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "抚顺市总工会",
            "210400",
            "抚顺",
            children=(
                DemoOrg(
                    "抚顺市望花区总工会",
                    "210404",
                    "望花区",
                    children=(
                        # A public institution: classes on Lei Feng's deeds.
                        _g(
                            "抚顺雷锋纪念馆工会",
                            "210404",
                            K.GOVERNMENT,
                            "辽宁省抚顺市望花区和平路东段",
                            short="雷锋纪念馆",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "丹东市总工会",
            "210600",
            "丹东",
            children=(
                DemoOrg(
                    "丹东市振兴区总工会",
                    "210603",
                    "振兴区",
                    children=(
                        # Runs an ecological-farm class.
                        _g(
                            "丹东克隆儿童会工会",
                            "210603",
                            K.ENTERPRISE,
                            "辽宁省丹东市振兴区",
                            short="克隆儿童会",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SICHUAN = DemoOrg(
    "四川省总工会",
    "510000",
    "四川",
    key="sichuan",
    children=(
        DemoOrg(
            "成都市总工会",
            "510100",
            "成都",
            children=(
                DemoOrg(
                    "成都市郫都区总工会",
                    "510117",
                    "郫都区",
                    children=(
                        # Wrote the 《职工子女托管期间风险提示》.
                        _g(
                            "中电科航空电子有限公司工会",
                            "510117",
                            K.ENTERPRISE,
                            "四川省成都市郫都区成都高新西区",
                            key="cetc_avionics",
                            short="中电科航电工会",
                        ),
                    ),
                ),
                # Provincial organs sit in Chengdu; their working committee (省直机关工会)
                # is modelled as a county-level node so that the organ unions below it stay
                # grassroots at level 4, like every other grassroots union.
                DemoOrg(
                    "四川省直机关工会工作委员会",
                    "510100",
                    "省直机关工会",
                    children=(
                        _g(
                            "四川省卫生健康委员会机关工会",
                            "510104",
                            K.GOVERNMENT,
                            "四川省成都市锦江区",
                            short="省卫健委工会",
                        ),
                        _g(
                            "四川省人民医院工会",
                            "510105",
                            K.HOSPITAL,
                            "四川省成都市青羊区一环路西二段32号",
                            short="省医院工会",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "绵阳市总工会",
            "510700",
            "绵阳",
            children=(
                DemoOrg(
                    "绵阳市涪城区总工会",
                    "510703",
                    "涪城区",
                    children=(
                        # "医小宝" summer camp: protective gowns, CPR, dental care.
                        _g(
                            "绵阳市中心医院工会",
                            "510703",
                            K.HOSPITAL,
                            "四川省绵阳市涪城区常家巷12号",
                            key="mianyang_hospital",
                            short="绵阳市中心医院",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "攀枝花市总工会",
            "510400",
            "攀枝花",
            children=(
                DemoOrg(
                    "攀枝花市东区总工会",
                    "510402",
                    "东区",
                    children=(
                        # A first-batch "全国工会爱心托管班".
                        _g(
                            "东区阳城龙庭社区工会联合会",
                            "510402",
                            K.COMMUNITY,
                            "四川省攀枝花市东区阳城龙庭社区",
                            short="阳城龙庭社区",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "南充市总工会",
            "511300",
            "南充",
            children=(
                DemoOrg(
                    "仪陇县总工会",
                    "511324",
                    "仪陇县",
                    key="yilong",
                    children=(
                        # Three years of classes for migrant workers' children (农民工子女).
                        _g(
                            "仪陇县农民工服务中心工会",
                            "511324",
                            K.SERVICE_CENTRE,
                            "四川省南充市仪陇县新政镇",
                            key="yilong_migrants",
                            short="仪陇农民工服务中心",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SHAANXI = DemoOrg(
    "陕西省总工会",
    "610000",
    "陕西",
    children=(
        DemoOrg(
            "西安市总工会",
            "610100",
            "西安",
            children=(
                DemoOrg(
                    "西安市雁塔区总工会",
                    "610113",
                    "雁塔区",
                    children=(
                        # 0–3 toddler care (托育) beside holiday and after-school classes.
                        _g(
                            "雁塔区电子城街道总工会",
                            "610113",
                            K.COMMUNITY,
                            "陕西省西安市雁塔区电子城街道",
                            short="电子城街道",
                        ),
                        _g(
                            "西安电子科技大学工会",
                            "610113",
                            K.SCHOOL,
                            "陕西省西安市雁塔区太白南路2号",
                            short="西电工会",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

SHANDONG = DemoOrg(
    "山东省总工会",
    "370000",
    "山东",
    children=(
        DemoOrg(
            "临沂市总工会",
            "371300",
            "临沂",
            children=(
                # A development zone is not a civil-affairs division, so it carries the city's
                # code rather than a district's.
                DemoOrg(
                    "临沂高新技术产业开发区工会",
                    "371300",
                    "临沂高新区",
                    children=(
                        # Offers a menu of 20+ courses for children to choose from.
                        _g(
                            "临沂高新区职工服务中心工会",
                            "371300",
                            K.SERVICE_CENTRE,
                            "山东省临沂市临沂高新技术产业开发区",
                            short="临沂高新区职工服务中心",
                        ),
                        _g(
                            "临沂高新区罗西街道总工会",
                            "371300",
                            K.COMMUNITY,
                            "山东省临沂市临沂高新技术产业开发区罗西街道",
                            short="罗西街道",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

JIANGSU = DemoOrg(
    "江苏省总工会",
    "320000",
    "江苏",
    key="jiangsu",
    children=(
        DemoOrg(
            "南京市总工会",
            "320100",
            "南京",
            children=(
                DemoOrg(
                    "南京市六合区总工会",
                    "320116",
                    "六合区",
                    children=(
                        # Free summer classes for children of workers who work away from home.
                        _g(
                            "六合区马鞍街道总工会",
                            "320116",
                            K.COMMUNITY,
                            "江苏省南京市六合区马鞍街道",
                            short="马鞍街道",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "无锡市总工会",
            "320200",
            "无锡",
            children=(
                DemoOrg(
                    "无锡市梁溪区总工会",
                    "320213",
                    "梁溪区",
                    children=(
                        _g(
                            "中国电子系统工程第二建设有限公司工会",
                            "320213",
                            K.ENTERPRISE,
                            "江苏省无锡市梁溪区",
                            short="中电二建工会",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "苏州市总工会",
            "320500",
            "苏州",
            children=(
                DemoOrg(
                    "苏州市姑苏区总工会",
                    "320508",
                    "姑苏区",
                    children=(
                        # Red-story talks, Suzhou folk-heritage lessons, police job experience.
                        _g(
                            "苏州市公安局工会",
                            "320508",
                            K.COURT_POLICE,
                            "江苏省苏州市姑苏区",
                            short="苏州市公安局",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "盐城市总工会",
            "320900",
            "盐城",
            children=(
                DemoOrg(
                    "建湖县总工会",
                    "320925",
                    "建湖县",
                    children=(
                        _g(
                            "建湖县沿河镇总工会",
                            "320925",
                            K.COMMUNITY,
                            "江苏省盐城市建湖县沿河镇",
                            short="沿河镇",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "扬州市总工会",
            "321000",
            "扬州",
            children=(
                DemoOrg(
                    "扬州市邗江区总工会",
                    "321003",
                    "邗江区",
                    children=(
                        # Hosts the city union's online class "加油少年群".
                        _g(
                            "扬州市职工服务中心工会",
                            "321003",
                            K.SERVICE_CENTRE,
                            "江苏省扬州市邗江区",
                            short="扬州市职工服务中心",
                        ),
                    ),
                ),
                DemoOrg(
                    "仪征市总工会",
                    "321081",
                    "仪征市",
                    children=(
                        _g(
                            "青山镇胥浦家园社区工会",
                            "321081",
                            K.COMMUNITY,
                            "江苏省扬州市仪征市青山镇胥浦家园社区",
                            short="胥浦家园社区",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "镇江市总工会",
            "321100",
            "镇江",
            children=(
                DemoOrg(
                    "镇江市京口区总工会",
                    "321102",
                    "京口区",
                    children=(
                        _g(
                            "镇江市京口区人民法院工会",
                            "321102",
                            K.COURT_POLICE,
                            "江苏省镇江市京口区",
                            short="京口法院",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

INNER_MONGOLIA = DemoOrg(
    "内蒙古自治区总工会",
    "150000",
    "内蒙古",
    children=(
        DemoOrg(
            "呼和浩特市总工会",
            "150100",
            "呼和浩特",
            children=(
                DemoOrg(
                    "托克托县总工会",
                    "150122",
                    "托克托县",
                    children=(
                        # The county union pays venue and staff; families pay meals only.
                        _g(
                            "托克托县职工服务中心工会",
                            "150122",
                            K.SERVICE_CENTRE,
                            "内蒙古自治区呼和浩特市托克托县双河镇",
                            short="托克托县职工服务中心",
                        ),
                    ),
                ),
                DemoOrg(
                    "呼和浩特市赛罕区总工会",
                    "150105",
                    "赛罕区",
                    children=(
                        # Bought-in care for ten branches, with cameras parents can watch.
                        _g(
                            "中国联合网络通信有限公司内蒙古自治区分公司工会",
                            "150105",
                            K.ENTERPRISE,
                            "内蒙古自治区呼和浩特市赛罕区",
                            short="内蒙古联通工会",
                        ),
                    ),
                ),
            ),
        ),
        DemoOrg(
            "通辽市总工会",
            "150500",
            "通辽",
            children=(
                DemoOrg(
                    "霍林郭勒市总工会",
                    "150581",
                    "霍林郭勒市",
                    children=(
                        # Volunteers from Inner Mongolia Normal University staff every class.
                        _g(
                            "霍林郭勒市职工服务中心工会",
                            "150581",
                            K.SERVICE_CENTRE,
                            "内蒙古自治区通辽市霍林郭勒市",
                            short="霍林郭勒市职工服务中心",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

TREE = DemoOrg(
    "中华全国总工会",
    "100000",
    "全总",
    address="北京市西城区复兴门外大街10号",
    key="national",
    children=(LIAONING, SICHUAN, SHAANXI, SHANDONG, JIANGSU, INNER_MONGOLIA),
)


def walk(
    node: DemoOrg = TREE, parent: DemoOrg | None = None
) -> Iterator[tuple[DemoOrg, DemoOrg | None]]:
    """Every node with its parent, parents first."""
    yield node, parent
    for child in node.children:
        yield from walk(child, node)


def demo_tree_ensure() -> tuple[dict[str, Org], int]:
    """Create the missing demo unions; return the keyed unions and how many were created.

    Existing unions are matched on (region code, name), all read in one query, so a second
    run costs one SELECT. The caller sets the audit context.
    """
    names = [node.name for node, _ in walk()]
    existing = {(o.region_code, o.name): o for o in Org.objects.filter(name__in=names)}
    created = 0
    keyed: dict[str, Org] = {}
    made: dict[int, Org] = {}  # by id(node): nodes are data, not identities
    for node, parent in walk():
        org = existing.get((node.region_code, node.name))
        if org is None:
            fields = {
                "name": node.name,
                "short_name": node.short_name,
                "region_code": node.region_code,
                "kind": node.kind,
                "address": node.address,
            }
            if parent is None:
                org = org_create_root(**fields)
            else:
                org = org_create(actor=None, parent=made[id(parent)], **fields)
            created += 1
        made[id(node)] = org
        if node.key:
            keyed[node.key] = org
    return keyed, created
