"""The inbox behind the header bell, and one's own delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuoguan.core.kit import HtmxRequest, paginate

from . import selectors, services


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.inbox_for(request.user))
    return render(request, "notifications/inbox.html", {"page_obj": page})


@login_required
@require_POST
def read(request: HtmxRequest, pk: int) -> HttpResponse:
    """Mark one notification read, then follow its link (or, for HTMX, redraw its row)."""
    notification = selectors.notification_for(request.user, pk)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        response = render(
            request, "notifications/_notification_row.html", {"notification": notification}
        )
        patch_vary_headers(response, ("HX-Request",))
        return response
    return redirect(notification.local_url() or "notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    """Where copies of one's notifications went (e-mail, SMS…) and whether they arrived."""
    page = paginate(request, selectors.deliveries_for(request.user))
    return render(request, "notifications/deliveries.html", {"page_obj": page})
