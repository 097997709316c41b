"""Writes about people: users, workers, children, consent, tokens. Atomic and audited.

Split by area; import from here (`from tuoguan.accounts import services`).
"""

from .children import (
    CHILD_FIELDS,
    CHILD_VIEW_REASON_MAX,
    CHILD_VIEW_REASON_MIN,
    child_create,
    child_delete,
    child_register,
    child_update,
    child_view,
    child_view_reason_clean,
)
from .consent import (
    consent_grant,
    consent_policy_current,
    consent_policy_publish,
    consent_withdraw,
    on_consent_change,
)
from .family import family_export, family_export_sections
from .tokens import token_issue, token_revoke, tokens_revoke_all
from .users import (
    RESET_CODES_PER_HOUR,
    password_changed,
    password_reset_code_check,
    password_reset_code_issue,
    password_reset_complete,
    user_create,
    user_login_record,
)
from .workers import (
    member_number_taken,
    username_for_mobile,
    worker_create,
    worker_register,
    worker_verify,
)

__all__ = [
    "CHILD_FIELDS",
    "CHILD_VIEW_REASON_MAX",
    "CHILD_VIEW_REASON_MIN",
    "RESET_CODES_PER_HOUR",
    "child_create",
    "child_delete",
    "child_register",
    "child_update",
    "child_view",
    "child_view_reason_clean",
    "consent_grant",
    "consent_policy_current",
    "consent_policy_publish",
    "consent_withdraw",
    "family_export",
    "family_export_sections",
    "member_number_taken",
    "on_consent_change",
    "password_changed",
    "password_reset_code_check",
    "password_reset_code_issue",
    "password_reset_complete",
    "token_issue",
    "token_revoke",
    "tokens_revoke_all",
    "user_create",
    "user_login_record",
    "username_for_mobile",
    "worker_create",
    "worker_register",
    "worker_verify",
]
