"""The care agreement (托管协议): versioned templates per union, and the guardian's signature.

A union without a template of its own inherits the nearest ancestor's; the national default
sits at the root and is created the first time anyone needs it. The version that governs an
enrolment is the one in force on the term's first day, so a new version asks every family of
a term that has not started yet for a new signature, and never unsettles a running term.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tuoguan.core.fonts import validate_printable
from tuoguan.notifications.services import notify
from tuoguan.orgs.models import Org
from tuoguan.orgs.permissions import Actor, covers, require

from ..models import ACTIVE_STATUSES, Agreement, AgreementTemplate, Enrolment
from ..permissions import is_family

PLACEHOLDERS = (
    "child",
    "guardian",
    "program",
    "term",
    "start",
    "end",
    "hours",
    "host",
    "venue",
    "fee",
)
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
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


# --- Which template governs ----------------------------------------------------------------


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
    found = _in_force(org, on)
    if found is None and agreement_template_ensure_default() is not None:
        found = _in_force(org, on)
    return found


def template_for_enrolment(enrolment: Enrolment) -> AgreementTemplate | None:
    term = enrolment.term
    return agreement_template_for(term.program.host, term.start_date)


@transaction.atomic
def agreement_template_ensure_default() -> AgreementTemplate | None:
    """The national union's default agreement; created once, None without a root union."""
    root = Org.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return None
    existing = AgreementTemplate.objects.filter(org=root).order_by("-version").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return AgreementTemplate.objects.create(
                org=root,
                version=1,
                title=NATIONAL_DEFAULT_TITLE,
                body=NATIONAL_DEFAULT_BODY,
                effective_from=NATIONAL_DEFAULT_FROM,
            )
    except IntegrityError:
        # Created concurrently by another first request: use that one.
        return AgreementTemplate.objects.get(org=root, version=1)


# --- Templates: list and publish ---------------------------------------------------------------


def can_publish_template(actor: Actor, org: Org) -> bool:
    return actor.is_admin and covers(actor, org)


def agreement_templates_of(org: Org) -> QuerySet[AgreementTemplate]:
    """The versions a union published itself, newest first."""
    return AgreementTemplate.objects.filter(org=org).order_by("-version")


def unknown_placeholders(body: str) -> list[str]:
    return sorted({name for name in _PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def _check_template(title: str, body: str, effective_from: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Give the agreement a title.")
    elif len(title.strip()) > 200:
        errors["title"] = _("The title is longer than 200 characters.")
    if len(body.strip()) < 50:
        errors["body"] = _("The agreement text is too short to be an agreement.")
    elif unknown := unknown_placeholders(body):
        errors["body"] = _("Unknown placeholder(s): %(names)s. Use only: %(known)s.") % {
            "names": ", ".join(f"{{{n}}}" for n in unknown),
            "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
        }
    for name, value in (("title", title), ("body", body)):
        if name not in errors:
            try:
                validate_printable(value)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
    if not isinstance(effective_from, datetime.date):
        errors["effective_from"] = _("Enter the date from which the new version applies.")
    elif effective_from < timezone.localdate():
        # A past date would ask families of running terms to sign again mid-term.
        errors["effective_from"] = _("A new version can take effect today at the earliest.")
    return errors


@transaction.atomic
def agreement_template_publish(
    *, actor: Actor, org: Org, title: str, body: str, effective_from: datetime.date
) -> AgreementTemplate:
    """Publish the next version of `org`'s agreement; families of affected terms re-sign."""
    require(can_publish_template(actor, org))
    errors = _check_template(title, body, effective_from)
    if errors:
        raise ValidationError(errors)
    Org.objects.select_for_update().filter(pk=org.pk).first()  # serialises the numbering
    top = AgreementTemplate.objects.filter(org=org).aggregate(top=Max("version"))["top"]
    template = AgreementTemplate.objects.create(
        org=org,
        version=(top or 0) + 1,
        title=title.strip(),
        body=body.strip(),
        effective_from=effective_from,
    )
    transaction.on_commit(lambda: _enqueue_resync(template.pk))
    return template


def _enqueue_resync(template_id: int) -> None:
    agreement_resync.enqueue(template_id)


@task()
def agreement_resync(template_id: int) -> int:
    """Background half of a publish: a national version can concern thousands of families."""
    template = AgreementTemplate.objects.select_related("org").filter(pk=template_id).first()
    if template is None:
        return 0
    return agreement_resync_for_template(template=template)


def agreement_resync_for_template(*, template: AgreementTemplate) -> int:
    """Un-confirm and tell the families of terms that the new version now governs.

    Only terms that have not ended and start on or after the version's effective date;
    a lower union with a template of its own keeps it (nearest wins).
    """
    from .paperwork import enrolment_sync_confirmation, paperwork_url

    today = timezone.localdate()
    enrolments = (
        Enrolment.objects.filter(
            term__program__host__path__startswith=template.org.path,
            term__start_date__gte=template.effective_from,
            term__end_date__gte=today,
            status__in=ACTIVE_STATUSES,
        )
        .select_related("term__program__host", "child", "guardian__user")
        .order_by("term_id", "pk")
    )
    governing: dict[int, bool] = {}
    told = 0
    for enrolment in enrolments.iterator(chunk_size=500):
        term = enrolment.term
        if term.pk not in governing:
            current = agreement_template_for(term.program.host, term.start_date)
            governing[term.pk] = current is not None and current.pk == template.pk
        signed = set(enrolment.agreements.values_list("template_id", flat=True))
        # Families who never signed are asked by their checklist; only re-signing is news.
        if not governing[term.pk] or not signed or template.pk in signed:
            continue
        with transaction.atomic():
            enrolment_sync_confirmation(enrolment=enrolment)
            notify(
                recipient=enrolment.guardian.user,
                subject=_("Please sign the new care agreement for %(child)s")
                % {"child": enrolment.child.name},
                body=_(
                    "%(org)s published a new version of the care agreement for %(term)s. "
                    "The place is confirmed again once you sign it."
                )
                % {"org": template.org, "term": term},
                url=paperwork_url(enrolment),
            )
        told += 1
    return told


# --- The legal text ----------------------------------------------------------------------------

# One legal text: the agreement is read, signed and printed in Chinese whatever the
# interface language (the page may add a translation beside it, never instead of it).
CONTRACT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class LegalText:
    """What the guardian agrees to: the page before signing and the PDF both render this."""

    title: str
    body: str
    consent: str

    def paragraphs(self) -> list[str]:
        return self.body.splitlines()


def consent_sentence() -> str:
    with translation.override(CONTRACT_LANGUAGE):
        return _("I have read and agree to this agreement.")


def legal_text(template: AgreementTemplate, enrolment: Enrolment) -> LegalText:
    """The text to be signed: the governing version filled in for this enrolment."""
    return LegalText(template.title, agreement_fill(template, enrolment), consent_sentence())


def signed_legal_text(agreement: Agreement) -> LegalText:
    """The text as signed (frozen at signing: later edits of the template never change it)."""
    return LegalText(agreement.template.title, agreement.text, consent_sentence())


# --- Filling and signing --------------------------------------------------------------------


def _fee_text(program: Any) -> str:
    amount = program.fee_amount
    if amount is not None:
        amount = f"{amount:f}".rstrip("0").rstrip(".") if "." in f"{amount:f}" else f"{amount:f}"
    if program.fee_policy == "fee" and amount is not None:
        return _("A fee of %(amount)s yuan per child") % {"amount": amount}
    if program.fee_policy == "living_costs" and amount is not None:
        return _("Living costs only: %(amount)s yuan per child") % {"amount": amount}
    return _("Free of charge")


def agreement_values(enrolment: Enrolment) -> dict[str, str]:
    """What the placeholders stand for, taken from the term (dates as YYYY-MM-DD)."""
    term = enrolment.term
    program = term.program
    venue = term.venue
    return {
        "child": enrolment.child.name,
        "guardian": enrolment.guardian.user.real_name,
        "program": program.name,
        "term": term.name,
        "start": term.start_date.isoformat(),
        "end": term.end_date.isoformat(),
        "hours": f"{term.daily_start:%H:%M}–{term.daily_end:%H:%M}",
        "host": program.host.name,
        "venue": f"{venue.name}（{venue.address}）" if venue is not None else _("Online"),
        "fee": _fee_text(program),
    }


def agreement_fill(template: AgreementTemplate, enrolment: Enrolment) -> str:
    """The template with its placeholders filled, in the contract's language (fees too)."""
    with translation.override(CONTRACT_LANGUAGE):
        values = agreement_values(enrolment)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)


def agreement_current(enrolment: Enrolment) -> Agreement | None:
    """The signature on the version that governs the enrolment, if given."""
    template = template_for_enrolment(enrolment)
    if template is None:
        return None
    return enrolment.agreements.filter(template=template).select_related("template").first()


def check_paperwork_open(enrolment: Enrolment) -> None:
    """Paperwork is for live applications of terms that have not ended."""
    if enrolment.status not in ACTIVE_STATUSES:
        raise ValidationError(
            _("This application is %(status)s; there is no paperwork to complete.")
            % {"status": enrolment.get_status_display().lower()}
        )
    if enrolment.term.end_date < timezone.localdate():
        raise ValidationError(_("This term has ended."))


@transaction.atomic
def agreement_sign(
    *, actor: Actor, enrolment: Enrolment, signer_name: str, consent: bool, ip: str | None
) -> Agreement:
    """The guardian signs the governing version: typed real name, consent box, time and IP."""
    require(is_family(actor, enrolment))
    check_paperwork_open(enrolment)
    errors: dict[str, str] = {}
    expected = enrolment.guardian.user.real_name.strip()
    if (signer_name or "").strip() != expected:
        errors["signer_name"] = _(
            "Type your real name exactly as registered (%(name)s) to sign."
        ) % {"name": expected}
    if consent is not True:
        errors["consent"] = _("Tick the box to agree to the agreement.")
    if errors:
        raise ValidationError(errors)
    template = template_for_enrolment(enrolment)
    if template is None:
        raise ValidationError(_("No care agreement has been published for this class yet."))
    existing = enrolment.agreements.filter(template=template).first()
    if existing is not None:
        return existing
    agreement = Agreement.objects.create(
        enrolment=enrolment,
        template=template,
        text=agreement_fill(template, enrolment),
        signer=actor.user,
        signer_name=expected,
        consent=True,
        ip=ip,
    )
    from .paperwork import enrolment_sync_confirmation

    enrolment_sync_confirmation(enrolment=enrolment)
    return agreement
