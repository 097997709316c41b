"""People at a union: grant and revoke roles; choose the membership one acts through."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tuoguan.core.kit import form_page, paginate
from tuoguan.orgs import selectors, services
from tuoguan.orgs.forms import MembershipForm
from tuoguan.orgs.kit import ActorRequest
from tuoguan.orgs.middleware import SESSION_KEY
from tuoguan.orgs.permissions import can_manage_memberships, get_or_404, memberships_of, require

from .tree import abilities


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    org = selectors.org_for(actor, pk)
    require(can_manage_memberships(actor, org))
    form = MembershipForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda: services.membership_add(
            actor=actor, user=form.cleaned_data["login"], org=org, role=form.cleaned_data["role"]
        ),
        done=lambda _membership: (
            _("Role granted to %(name)s.") % {"name": form.cleaned_data["login"]}
        ),
        then="orgs:detail",
        template="orgs/membership_form.html",
        context=lambda: {
            "org": org,
            "ancestors": [*selectors.org_ancestors_visible(actor, org), org],
        },
        pk=org.pk,
    )


@login_required
@require_POST
def membership_revoke(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    membership = selectors.membership_for(actor, pk)
    org = membership.org
    require(can_manage_memberships(actor, org))
    services.membership_revoke(actor=actor, membership=membership)
    if request.htmx:
        context = {
            "org": org,
            "memberships": paginate(request, selectors.memberships_for_org(actor, org)),
            "can": abilities(actor, org),
        }
        return render(request, "orgs/_memberships.html", context)
    messages.success(request, _("Role revoked."))
    return redirect("orgs:detail", pk=org.pk)


@login_required
@require_POST
def switch_membership(request: ActorRequest) -> HttpResponse:
    """Act through another of one's own memberships from now on (kept in the session)."""
    membership = get_or_404(memberships_of(request.user), pk=request.POST.get("membership"))
    request.session[SESSION_KEY] = membership.pk
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target) if safe else redirect("core:home")


urlpatterns = [
    path("<int:pk>/memberships/add/", membership_add, name="membership_add"),
    path("memberships/<int:pk>/revoke/", membership_revoke, name="membership_revoke"),
    path("switch/", switch_membership, name="switch_membership"),
]
