"""Money as integer fen, shown in yuan: the one parser and the one formatter of amounts."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# 100 million yuan: more than any union's childcare budget, far below a 64-bit column.
MAX_FEN = 10_000_000_000


def yuan(fen: int | None) -> str:
    """`1234567` → "12,345.67" (no float on the way)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def fen_of(value: object, *, field: str = "amount") -> int:
    """Yuan as typed ("30000", "30,000.50") → fen; refuses what is not a positive amount."""
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 30000 or 125.50.")}) from exc
    if not amount.is_finite():
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 30000 or 125.50.")})
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError({field: _("Give at most two decimals (fen).")})
    fen = int(amount * 100)
    check_fen(fen, field=field)
    return fen


def check_fen(fen: int, *, field: str = "amount_fen") -> None:
    if fen <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if fen > MAX_FEN:
        raise ValidationError(
            {field: _("The amount is too large: at most %(max)s yuan.") % {"max": yuan(MAX_FEN)}}
        )
