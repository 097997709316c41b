"""Rules for the notification inbox and deliveries."""

from .base import ALLOWED, ANY_USER, Rule, everyone, outcomes, own_text, page

RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- notifications -------------------------------------------------------------------------
    "notifications:inbox": page(ANY_USER, hides_text=own_text("notification", "subject")),
    "notifications:read": page(outcomes(404, parent=ALLOWED), method="POST", obj="notification"),
    "notifications:read_all": page(everyone(ALLOWED), method="POST"),
    "notifications:deliveries": page(ANY_USER),
}
