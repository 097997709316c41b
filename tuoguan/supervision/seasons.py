"""Seasons of supervision: the school year's terms and holidays, or dates a union chooses.

"Never visited this season" and the season's plan read one of these periods, never the
calendar year: a summer holiday class and an autumn after-school class are different
seasons. The fixed seasons tile the year (pure functions, no database):

* winter holiday (寒假): 1 January – the last day of February (it holds the Spring Festival);
* spring term (春季学期): 1 March – 30 June;
* summer holiday (暑假): 1 July – 31 August;
* autumn term (秋季学期): 1 September – 31 December.

The same seasons as enrolment's "one period per season" (`enrolment.services.season_of`;
a test holds them equal). Local school calendars differ by a week or two; a union whose
dates differ chooses custom dates. A term belongs to a season when its dates overlap it.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_DAYS = 366


class SeasonKind(models.TextChoices):
    WINTER = "winter", gettext_lazy("Winter holiday")
    SPRING = "spring", gettext_lazy("Spring term")
    SUMMER = "summer", gettext_lazy("Summer holiday")
    AUTUMN = "autumn", gettext_lazy("Autumn term")
    CUSTOM = "custom", gettext_lazy("Custom dates")


FIXED = (SeasonKind.WINTER, SeasonKind.SPRING, SeasonKind.SUMMER, SeasonKind.AUTUMN)


@dataclass(frozen=True)
class Season:
    kind: str
    start: datetime.date
    end: datetime.date
    # The year the season starts in; None for custom dates.
    year: int | None = None

    @property
    def label(self) -> str:
        span = f"{self.start.isoformat()} – {self.end.isoformat()}"
        if self.kind == SeasonKind.CUSTOM:
            return span
        return f"{self.year} {SeasonKind(self.kind).label}（{span}）"

    @property
    def slug(self) -> str:
        """A file-name-safe name: 2026-summer, or 20260301-20260630 for custom dates."""
        if self.kind == SeasonKind.CUSTOM:
            return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"
        return f"{self.year}-{self.kind}"


def season_of(kind: str, year: int) -> Season:
    """The fixed season `kind` starting in `year`."""
    if kind == SeasonKind.WINTER:
        last = calendar.monthrange(year, 2)[1]
        return Season(kind, datetime.date(year, 1, 1), datetime.date(year, 2, last), year)
    if kind == SeasonKind.SPRING:
        return Season(kind, datetime.date(year, 3, 1), datetime.date(year, 6, 30), year)
    if kind == SeasonKind.SUMMER:
        return Season(kind, datetime.date(year, 7, 1), datetime.date(year, 8, 31), year)
    if kind == SeasonKind.AUTUMN:
        return Season(kind, datetime.date(year, 9, 1), datetime.date(year, 12, 31), year)
    raise ValueError(kind)


def season_containing(day: datetime.date | None = None) -> Season:
    """The fixed season `day` (today by default) falls in."""
    day = day or timezone.localdate()
    for kind in FIXED:
        season = season_of(kind, day.year)
        if season.start <= day <= season.end:
            return season
    raise AssertionError(day)  # pragma: no cover - the fixed seasons tile the year


def custom_season(start: datetime.date, end: datetime.date) -> Season:
    if end < start:
        raise ValidationError({"end": _("The season ends after it starts.")})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"end": _("A season is at most a year long.")})
    return Season(SeasonKind.CUSTOM, start, end)


def season_chosen(
    kind: str | None = None,
    year: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Season:
    """The season a union asked for: a fixed one (this year's by default), custom dates, or
    the current season when nothing is asked."""
    if kind == SeasonKind.CUSTOM or (kind is None and start and end):
        if start is None or end is None:
            raise ValidationError({"start": _("Custom dates need a start and an end.")})
        return custom_season(start, end)
    if kind is None:
        return season_containing()
    if kind not in FIXED:
        raise ValidationError({"season": _("Choose a season.")})
    return season_of(kind, year or default_year(kind))


def default_year(kind: str) -> int:
    """This year's season of `kind`."""
    return timezone.localdate().year


def definition() -> str:
    """The definition shown beside every choice of season."""
    return _(
        "Seasons follow the school year: winter holiday 1 January – end of February, spring "
        "term 1 March – 30 June, summer holiday 1 July – 31 August, autumn term 1 September – "
        "31 December. A term counts in a season when its dates overlap it; a visit counts "
        "when its date lies in it. Choose custom dates where the local calendar differs."
    )
