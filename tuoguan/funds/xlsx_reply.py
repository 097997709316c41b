"""The reply that hands out a spreadsheet."""

from django.http import HttpResponse

from tuoguan.core.xlsx import XLSX_TYPE


def xlsx_reply(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
