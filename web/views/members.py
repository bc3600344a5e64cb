"""The organisation's people and the person's own account: members and their roles, invitations, the
profile, the organisation's details, the password. The same services as ``/api/organization/members/``,
``/api/organization/invitations/``, ``PATCH /api/me/`` and ``/api/auth/password/change/``."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.members import invitation_create, invitation_withdraw, member_remove, member_role_change
from accounts.passwords import password_change
from accounts.roles import Ability, Role
from accounts.selectors import invitation_list_for, member_list_for
from accounts.serializers import (
    InvitationCreateInputSerializer,
    MemberUpdateInputSerializer,
    MeUpdateInputSerializer,
    PasswordChangeInputSerializer,
)
from accounts.services import profile_update
from web.calls import PageError, call, form_errors, parse
from web.forms import (
    InviteForm,
    MemberRoleForm,
    OrganizationDetailsForm,
    PasswordChangePageForm,
    ProfileForm,
)
from web.views.common import app_page, can, person

# --- members ----------------------------------------------------------------------------------


def _members_page(request: HttpRequest, invite_form: InviteForm, status: int = 200) -> HttpResponse:
    user = person(request)
    members = list(member_list_for(organization=user.organization))
    pending = invitation_list_for(organization=user.organization)
    manage = can(request, Ability.MEMBERS)
    now = timezone.now()
    context = {
        "members": [
            (member, MemberRoleForm(initial={"role": member.role}, auto_id=f"role-{member.pk}-%s"))
            for member in members
        ],
        "invitations": [(invitation, invitation.expires_at <= now) for invitation in pending] if manage else [],
        "invite_form": invite_form,
        "manage": manage,
        "manage_owners": can(request, Ability.OWNERS),
        "me": user,
    }
    return render(request, "web/app/members.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@app_page(ability=Ability.MEMBERS)
def members(request: HttpRequest) -> HttpResponse:
    """The people of the organisation; POST invites someone by e-mail."""
    form = InviteForm(request.POST or None, initial={"role": Role.MEMBER.value})
    if request.method != "POST":
        return _members_page(request, form)
    try:
        data = parse(InvitationCreateInputSerializer, {name: request.POST.get(name, "") for name in form.fields})
        invitation, _token = call(invitation_create, actor=person(request), **data)
    except PageError as error:
        form_errors(form, error)
        return _members_page(request, form, status=error.status)
    messages.success(request, f"Invitation e-mailed to {invitation.email} ({invitation.role}).")
    return redirect("web:members")


def _refused(request: HttpRequest, error: PageError) -> None:
    messages.error(request, " ".join(message for ms in error.errors.values() for message in ms))


@require_POST
@app_page(ability=Ability.MEMBERS)
def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    try:
        data = parse(MemberUpdateInputSerializer, {"role": request.POST.get("role", "")})
        member = call(member_role_change, actor=person(request), member_id=member_id, role=data["role"])
    except PageError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{member.email} is now {member.role}.")
    return redirect("web:members")


@require_POST
@app_page(ability=Ability.MEMBERS)
def member_remove_page(request: HttpRequest, member_id: int) -> HttpResponse:
    leaving = member_id == person(request).pk
    try:
        call(member_remove, actor=person(request), member_id=member_id)
    except PageError as error:
        _refused(request, error)
        return redirect("web:members")
    if leaving:
        return redirect("web:home")
    messages.success(request, "Removed: that person can no longer sign in to your organisation.")
    return redirect("web:members")


@require_POST
@app_page(ability=Ability.MEMBERS)
def invitation_withdraw_page(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        call(invitation_withdraw, actor=person(request), invitation_id=invitation_id)
    except PageError as error:
        _refused(request, error)
    else:
        messages.success(request, "Invitation withdrawn: its link no longer works.")
    return redirect("web:members")


# --- the account ------------------------------------------------------------------------------


def _organization_initial(request: HttpRequest) -> dict[str, Any]:
    org = person(request).organization
    return {
        "name": org.name,
        "sector": org.sector,
        "website": org.website,
        "employees": org.employees if org.employees is not None else "",
        "annual_revenue": org.annual_revenue if org.annual_revenue is not None else "",
        "revenue_currency": org.revenue_currency,
    }


def _account_page(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    user = person(request)
    context = {
        "profile_form": forms.get("profile_form") or ProfileForm(initial={"full_name": user.full_name}),
        "organization_form": forms.get("organization_form")
        or OrganizationDetailsForm(initial=_organization_initial(request)),
        "password_form": forms.get("password_form") or PasswordChangePageForm(),
        "edit_organization": can(request, Ability.ORGANIZATION),
        "me": user,
    }
    return render(request, "web/app/account.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@app_page(ability=Ability.PROFILE)
def account(request: HttpRequest) -> HttpResponse:
    """The person's profile (GET shows every form; POST saves the name)."""
    if request.method != "POST":
        return _account_page(request)
    form = ProfileForm(request.POST)
    try:
        data = parse(MeUpdateInputSerializer, {"full_name": request.POST.get("full_name", "")})
        call(profile_update, user=person(request), **data)
    except PageError as error:
        form_errors(form, error)
        return _account_page(request, status=error.status, profile_form=form)
    messages.success(request, "Your name was saved.")
    return redirect("web:account")


@require_POST
@app_page(ability=Ability.ORGANIZATION)
def account_organization(request: HttpRequest) -> HttpResponse:
    form = OrganizationDetailsForm(request.POST)
    # Blank optional numbers mean "not given": null, as the API takes them.
    given = {name: request.POST.get(name, "").strip() for name in form.fields}
    for name in ("employees", "annual_revenue"):
        given[name] = given[name] or None  # type: ignore[assignment]
    if given["employees"] and given["employees"].isdigit():  # the form posts text; the API reads a JSON integer
        given["employees"] = int(given["employees"])  # type: ignore[assignment]
    try:
        data = parse(MeUpdateInputSerializer, {"organization": given})
        call(profile_update, user=person(request), **data)
    except PageError as error:
        form_errors(form, error, prefix="organization.")
        return _account_page(request, status=error.status, organization_form=form)
    messages.success(request, "The organisation's details were saved.")
    return redirect("web:account")


@sensitive_post_parameters("old_password", "new_password")
@require_POST
@app_page(ability=Ability.PROFILE)
def account_password(request: HttpRequest) -> HttpResponse:
    form = PasswordChangePageForm(request.POST)
    user = person(request)
    try:
        data = parse(PasswordChangeInputSerializer, {name: request.POST.get(name, "") for name in form.fields})
        call(password_change, user=user, **data)
    except PageError as error:
        form_errors(form, error)
        return _account_page(request, status=error.status, password_form=form)
    update_session_auth_hash(request, user)  # this browser stays signed in; every other sign-in ended
    messages.success(request, "Your password was changed; every other sign-in has ended.")
    return redirect("web:account")
