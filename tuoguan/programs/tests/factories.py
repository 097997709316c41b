"""Small factories for classes, venues, terms and groups, built on the real services."""

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tuoguan.orgs.permissions import Actor, actor_for
from tuoguan.programs import services
from tuoguan.programs.models import Group, Program, ProgramType, StaffRole, Term, Venue

# A term with nobody on its roster fails the carer ratio: test approvals say they know.
DESPITE: dict[str, Any] = {"confirm_failures": True, "note": "测试：已知悉未达标项，限期整改"}
# Five weeks of summer 2021 without a holiday: 25 working days.
SUMMER_2021 = (datetime.date(2021, 7, 12), datetime.date(2021, 8, 13))


def actor(user: Any) -> Actor:
    return actor_for(user)


def make_venue(p: Any, *, by: Any = None, owner: Any = None, **overrides: Any) -> Venue:
    fields: dict[str, Any] = {
        "name": "港湾职工之家",
        "address": "大连市中山区港湾街1号",
        "indoor_area_m2": Decimal("120"),
        "outdoor_area_m2": Decimal("50"),
        "fire_exits": 2,
        "fire_cert_number": "消验字2020-001",
        "fire_cert_expires": datetime.date(2030, 12, 31),
        "building_cert_number": "建验2019-77",
        "food_cert_number": "JY12102020001",
        "food_cert_expires": datetime.date(2030, 12, 31),
        **overrides,
    }
    return services.venue_create(
        actor=actor(by or p.grassroots_admin), owner=owner or p.grassroots, **fields
    )


def make_program(p: Any, *, by: Any = None, host: Any = None, **overrides: Any) -> Program:
    fields: dict[str, Any] = {
        "name": "慧成长动力营",
        "type": ProgramType.HOLIDAY,
        "target_groups": ["dual_worker"],
        **overrides,
    }
    return services.program_create(
        actor=actor(by or p.grassroots_admin), host=host or p.grassroots, **fields
    )


def make_term(p: Any, *, by: Any = None, program: Program | None = None, **overrides: Any) -> Term:
    program = program or make_program(p, by=by)
    fields: dict[str, Any] = {
        "name": "2021年暑期",
        "start_date": SUMMER_2021[0],
        "end_date": SUMMER_2021[1],
        "capacity": 30,
        **overrides,
    }
    if "venue" not in fields and program.type != ProgramType.ONLINE:
        fields["venue"] = make_venue(p, by=by, owner=program.host)
    return services.term_create(actor=actor(by or p.grassroots_admin), program=program, **fields)


def make_group(p: Any, term: Term, *, by: Any = None, **overrides: Any) -> Group:
    fields: dict[str, Any] = {"name": "一年级组", **overrides}
    return services.group_create(actor=actor(by or p.grassroots_admin), term=term, **fields)


def with_carer(p: Any, term: Term) -> Term:
    """Put the caregiver persona on the roster: the term then meets the carer ratio."""
    services.term_staff_add(
        actor=actor(p.grassroots_admin), term=term, user=p.caregiver, role=StaffRole.CAREGIVER
    )
    return term


def approved_term(p: Any, **overrides: Any) -> Term:
    term = make_term(p, **overrides)
    term = services.term_submit(actor=actor(p.grassroots_admin), term=term)
    return services.term_approve(actor=actor(p.city_admin), term=term, **DESPITE)


def image_upload(
    name: str = "photo.jpg",
    *,
    fmt: str = "JPEG",
    exif: bool = True,
    size: tuple[int, int] = (40, 30),
) -> SimpleUploadedFile:
    """A small image, with a GPS-bearing EXIF block when asked (to check it is stripped)."""
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x8825] = {1: "N", 2: (39.0, 0.0, 0.0)}  # GPS IFD
        kwargs["exif"] = data
    image.save(out, fmt, **kwargs)
    content_type = "image/jpeg" if fmt == "JPEG" else "image/png"
    return SimpleUploadedFile(name, out.getvalue(), content_type=content_type)


def pdf_upload(name: str = "制度.pdf", size: int = 1000) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n" + b"0" * max(0, size - 9)
    return SimpleUploadedFile(name, body, content_type="application/pdf")
