"""`{{ fen|yuan }}`: an amount in fen shown in yuan ("12,345.67")."""

from django import template

from ..money import yuan as yuan_text

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return yuan_text(fen)
