"""Reads of the photos of the day, scoped to who asks.

* Those who work in the group (`care_work_q`: the host line's admins and managers, the
  caregivers on the term's roster) see every photo of it.
* A family sees a photo only where their own child is tagged, or an untagged photo of their
  child's group when the class lets families see those (`CarePolicy.families_see_group_photos`)
  — and never a photo tagging a child whose guardian has not agreed to photos (a consent
  refused after the post hides it from every family).
* Anyone else: the photo does not exist (404), its files included.
"""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from tuoguan.enrolment.models import Enrolment, EnrolmentStatus
from tuoguan.orgs.permissions import Actor, get_or_404
from tuoguan.programs.models import Group

from .models import MediaChoice, Photo, PhotoTag
from .permissions import care_work_q


def _works_in_group(actor: Actor) -> Exists:
    return Exists(Group.objects.filter(care_work_q(actor), pk=OuterRef("group_id")))


def _tags_refused() -> Exists:
    # "Not asked" counts as refused: only an explicit ALLOWED lets a tag be seen.
    return Exists(
        PhotoTag.objects.filter(photo=OuterRef("pk")).exclude(
            enrolment__child__media_consent__photos=MediaChoice.ALLOWED
        )
    )


def _no_refused_child() -> Q:
    return ~Q(_tags_refused())


def _family_q(enrolments: QuerySet[Enrolment]) -> Q:
    """What the families of `enrolments` may see (a queryset of their places)."""
    tagged = PhotoTag.objects.filter(photo=OuterRef("pk"), enrolment__in=enrolments)
    untagged_allowed = ~Q(Exists(PhotoTag.objects.filter(photo=OuterRef("pk")))) & Q(
        group__term__program__care_policy__families_see_group_photos=True
    )
    in_group = Exists(enrolments.filter(group_id=OuterRef("group_id")))
    return _no_refused_child() & (Q(Exists(tagged)) | (untagged_allowed & Q(in_group)))


def _own_places(actor: Actor) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(guardian__user=actor.user, status=EnrolmentStatus.CONFIRMED)


def photos_visible_to(actor: Actor) -> QuerySet[Photo]:
    """Every photo the actor may open, `in_work` set on those of groups they work in."""
    return (
        Photo.objects.annotate(in_work=_works_in_group(actor))
        .filter(Q(in_work=True) | _family_q(_own_places(actor)))
        .select_related("group__term__program", "posted_by")
        .prefetch_related(_tags_prefetch())
        .order_by("-date", "-created_at", "-pk")
    )


def _tags_prefetch() -> Prefetch:
    return Prefetch(
        "tags",
        queryset=PhotoTag.objects.select_related(
            "enrolment__child", "enrolment__guardian"
        ).order_by("pk"),
    )


def photo_for(actor: Actor, pk: Any) -> Photo:
    return get_or_404(photos_visible_to(actor), pk=pk)


def group_photos(group: Group, day: datetime.date) -> list[Photo]:
    """The day's photos of a group, for those who work in it (the caller checked);
    `withheld`: a child tagged lost the photo consent since, so no family sees the photo."""
    return list(
        Photo.objects.filter(group=group, date=day)
        .annotate(withheld=_tags_refused())
        .select_related("posted_by")
        .prefetch_related(_tags_prefetch())
        .order_by("-created_at", "-pk")
    )


def child_photos(actor: Actor, enrolment: Enrolment) -> QuerySet[Photo]:
    """The photos of the child's term that the child's family may see, newest first.

    `enrolment` is already scoped by the caller (e.g. `selectors.family_enrolment_for`);
    the photos are also limited to what `actor` may open. Two queries whatever the count."""
    place = Enrolment.objects.filter(pk=enrolment.pk, status=EnrolmentStatus.CONFIRMED)
    return (
        photos_visible_to(actor)
        .filter(group__term_id=enrolment.term_id, group_id=enrolment.group_id or 0)
        .filter(_family_q(place))
    )


def family_day_photos(pk: Any, term: Any, group: Any, day: datetime.date) -> QuerySet[Photo]:
    """The day's photos of the group that the family of the place `pk` (in `term` and
    `group`) may see, newest first, without their tags: the live view's read, compiled
    once (care.fastpath); its caller has scoped the place to the family already."""
    place = Enrolment.objects.filter(pk=pk, status=EnrolmentStatus.CONFIRMED)
    return (
        Photo.objects.filter(group__term_id=term, group_id=group, date=day)
        .filter(_family_q(place))
        .order_by("-created_at", "-pk")
    )


def day_photo_tags(group: Any, day: datetime.date) -> QuerySet[PhotoTag]:
    """The tags of the group's photos of the day (children's names), for `family_day_photos`."""
    return (
        PhotoTag.objects.filter(photo__group_id=group, photo__date=day)
        .select_related("enrolment__child", "enrolment__guardian")
        .order_by("pk")
    )
