"""Models of enrolment: allocation (seats, waitlist, offers, draws), paperwork, surveys."""

from .allocation import (
    ACTIVE_STATUSES,
    MAX_SIBLING_KEY,
    SEATED_STATUSES,
    Draw,
    Enrolment,
    EnrolmentRules,
    EnrolmentStatus,
    IdempotencyKey,
    Offer,
    SeatPool,
)
from .paperwork import (
    Agreement,
    AgreementTemplate,
    HealthNote,
    Insurance,
    PaperworkReminder,
    Pickup,
    RiskNoticeAck,
)
from .survey import NeedsSurvey, SurveyResponse

__all__ = [
    "ACTIVE_STATUSES",
    "MAX_SIBLING_KEY",
    "SEATED_STATUSES",
    "Agreement",
    "AgreementTemplate",
    "Draw",
    "Enrolment",
    "EnrolmentRules",
    "EnrolmentStatus",
    "HealthNote",
    "IdempotencyKey",
    "Insurance",
    "NeedsSurvey",
    "Offer",
    "PaperworkReminder",
    "Pickup",
    "RiskNoticeAck",
    "SeatPool",
    "SurveyResponse",
]
