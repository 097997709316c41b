"""Which care agreement governs an enrolment: the nearest union's version in force.

A union without a template of its own inherits the nearest ancestor's; the national default
sits at the root and is created the first time anyone needs it.
"""

import datetime

from django.utils import timezone

from tuoguan.orgs.models import Org

from .models import AgreementTemplate, Enrolment

# Every class since the national programme started is covered by the default.
NATIONAL_DEFAULT_FROM = datetime.date(2018, 1, 1)

# The default is a legal text in the language of the contract, stored as data that each union
# copies and edits; it is therefore not a translatable message.
NATIONAL_DEFAULT_TITLE = "职工子女托管服务协议"
NATIONAL_DEFAULT_BODY = """甲方（举办方）：{host}
乙方（监护人）：{guardian}
托管儿童：{child}

为做好职工子女托管服务，保障儿童的安全与健康，甲乙双方本着自愿、平等的原则，就乙方子女参加“{program}”（{term}）托管服务达成如下协议。

第一条 托管期限与地点
托管期为{start}至{end}，每个托管日{hours}；托管地点：{venue}。法定节假日及甲方提前通知的日期不开展托管。

第二条 费用
{fee}。甲方举办托管班不以营利为目的，所收费用仅用于托管期间的餐饮、材料等必要开支，并接受职工监督。

第三条 甲方的责任
1.提供符合消防、建筑和食品安全要求的场地，配备足够的看护人员，落实晨检、每日安全巡查和食品留样制度。
2.组织作业辅导、阅读、体育、艺术和安全教育等活动，不开展学科类培训。
3.妥善照看儿童；发现儿童身体不适、受伤或发生意外时，立即采取必要措施并及时通知乙方，必要时送医救治。
4.只将儿童交给乙方或乙方登记的接送人，核验身份后方可让儿童离开。
5.对儿童及其家庭的个人信息严格保密。

第四条 乙方的责任
1.如实填报儿童的健康状况、过敏史、疾病和用药情况；儿童患有传染病或不宜参加集体活动的疾病时，不得参加托管。
2.按约定时间亲自或由登记的接送人接送儿童；接送人变更时，事先在平台上更新。
3.教育儿童遵守托管班的纪律和安全规定；儿童故意或过失造成他人损害的，乙方依法承担相应责任。
4.为儿童办理覆盖整个托管期的意外伤害保险，或确认参加甲方统一投保。
5.保持通讯畅通，接到甲方通知后及时处理。

第五条 安全与接送
托管时间内，儿童未经甲方同意不得离开托管场所。乙方或接送人未按时接回儿童的，甲方继续看护并联系乙方，由此增加的风险由乙方承担。

第六条 健康与用药
甲方不为儿童提供药品。确需在托管期间服药的，乙方应书面写明药名、剂量和服用时间并提供药品，由看护人员协助服用。

第七条 保险与责任
托管期间儿童发生意外伤害的，由保险机构按保险合同理赔；甲方有过错的，依法承担相应责任；甲方已尽到教育、管理职责的，不承担责任。

第八条 个人信息处理
甲方仅为提供托管服务收集儿童和监护人的必要信息，依照《中华人民共和国个人信息保护法》和《未成年人网络保护条例》加密存储、限定访问，托管结束后按规定期限删除；未经乙方单独同意，不向第三方提供，法律、行政法规另有规定的除外。

第九条 协议的变更与解除
乙方可随时退出托管，并应提前告知甲方。儿童严重违反纪律、危及自身或他人安全的，甲方在通知乙方后可以终止托管。

第十条 其他
本协议未尽事宜，由双方协商解决。本协议经乙方在线签署后生效，与书面协议具有同等效力。"""


def org_path_prefixes(path: str, steplen: int = 4) -> list[str]:
    """The paths of an org and all its ancestors (treebeard materialised path)."""
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def _in_force(org: Org, on: datetime.date) -> AgreementTemplate | None:
    return (
        AgreementTemplate.objects.filter(
            org__path__in=org_path_prefixes(org.path, org.steplen),
            is_published=True,
            effective_from__lte=on,
        )
        .select_related("org")
        .order_by("-org__depth", "-effective_from", "-version")
        .first()
    )


def agreement_template_for(org: Org, on: datetime.date | None = None) -> AgreementTemplate | None:
    """The nearest union's latest published agreement in force on `on` (inherited upward)."""
    on = on or timezone.localdate()
    return _in_force(org, on)


def template_for_enrolment(enrolment: Enrolment) -> AgreementTemplate | None:
    term = enrolment.term
    return agreement_template_for(term.program.host, term.start_date)
