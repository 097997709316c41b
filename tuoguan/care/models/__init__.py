"""Daily care at the door (接送出勤, 晨检, staff on duty), split by area."""

from .attendance import (
    ON_ROSTER,
    Absence,
    AbsenceReason,
    Attendance,
    AttendanceCorrection,
    CareAlert,
    CarePolicy,
    CheckInMethod,
    CheckOutMethod,
    CheckoutRefusal,
    DayClose,
    KioskDevice,
    PickupCode,
    TemporaryPickup,
)
from .duty import DutyShift, RatioBreach
from .health import SYMPTOMS, TODDLER_STEPS, EpidemicFlag, HealthCheck, HealthRound

__all__ = [
    "ON_ROSTER",
    "SYMPTOMS",
    "TODDLER_STEPS",
    "Absence",
    "AbsenceReason",
    "Attendance",
    "AttendanceCorrection",
    "CareAlert",
    "CarePolicy",
    "CheckInMethod",
    "CheckOutMethod",
    "CheckoutRefusal",
    "DayClose",
    "DutyShift",
    "EpidemicFlag",
    "HealthCheck",
    "HealthRound",
    "KioskDevice",
    "PickupCode",
    "RatioBreach",
    "TemporaryPickup",
]
