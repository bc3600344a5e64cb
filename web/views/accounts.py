"""Sign-up, sign-in, sign-out and password reset for people, with a session.

Sign-in goes through ``django.contrib.auth.authenticate`` with the same credentials the API's token
endpoint passes (``email``, normalised by accounts.emails), so django-axes counts both under one key
and one lockout covers both; the API's ``token`` and ``register`` throttle scopes apply here too.
"""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.emails import email_normalize
from accounts.members import invitation_accept, invitation_pending
from accounts.passwords import PasswordResetMailForm, password_changed
from accounts.serializers import InvitationAcceptInputSerializer, RegisterInputSerializer
from accounts.services import user_register
from web.calls import PageError, call, form_errors, parse, throttled, too_many
from web.forms import InvitationAcceptForm, LoginForm, SignupForm


def _next_url(request: HttpRequest, default: str = "/app/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if (wait := throttled(request, scope="token")) is not None:
            return too_many(request, wait)
        email = email_normalize(str(request.POST.get("email", "")))
        password = str(request.POST.get("password", ""))
        user = authenticate(request, email=email, password=password) if email and password else None
        if user is not None:
            login(request, user)
            return redirect(_next_url(request))
        form.is_valid()
        if getattr(request, "axes_locked_out", False):
            # django-axes' middleware answers with the lockout (429) whatever this page says.
            form.add_error(None, "Too many failed sign-in attempts. Try again later.")
            status = 429
        else:
            form.add_error(None, "No account matches this e-mail address and password.")
            status = 400
    return render(request, "web/accounts/login.html", {"form": form, "next": _next_url(request, "")}, status=status)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup_page(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if (wait := throttled(request, scope="register")) is not None:
            return too_many(request, wait)
        try:
            data = parse(RegisterInputSerializer, {name: request.POST.get(name, "") for name in form.fields})
            user = call(user_register, **data)
        except PageError as error:
            form_errors(form, error)
            status = error.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to CarbonCred. {user.organization.name} is registered.")
            return redirect("web:dashboard")
    return render(request, "web/accounts/signup.html", {"form": form}, status=status)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_page(request: HttpRequest, token: str) -> HttpResponse:
    """Accept an invitation from its e-mailed link: choose a password, and you are signed in."""
    invitation = invitation_pending(token=token)
    form = InvitationAcceptForm(request.POST or None)
    status = 200 if invitation is not None else 400
    if request.method == "POST" and invitation is not None:
        if (wait := throttled(request, scope="register")) is not None:
            return too_many(request, wait)
        try:
            data = parse(
                InvitationAcceptInputSerializer,
                {
                    "token": token,
                    "password": request.POST.get("password", ""),
                    "full_name": request.POST.get("full_name", ""),
                },
            )
            user = call(invitation_accept, **data)
        except PageError as error:
            form_errors(form, error)
            status = error.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {user.organization.name} on CarbonCred.")
            return redirect("web:dashboard")
    context = {"form": form, "invitation": invitation, "token": token}
    return render(request, "web/accounts/invitation.html", context, status=status)


@require_POST
@csrf_protect
def logout_page(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:home")


class PasswordResetPage(auth_views.PasswordResetView):
    """Django's reset: an e-mail with a one-time link, the same answer whether or not the address exists.
    The form is the API's (accounts.passwords): one reset, one e-mail, links on PUBLIC_BASE_URL."""

    form_class = PasswordResetMailForm
    template_name = "web/accounts/password_reset.html"
    success_url = reverse_lazy("web:password-reset-done")

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if (wait := throttled(request, scope="register")) is not None:
            return too_many(request, wait)
        return super().post(request, *args, **kwargs)


class PasswordResetDonePage(auth_views.PasswordResetDoneView):
    template_name = "web/accounts/password_reset_done.html"


class PasswordResetConfirmPage(auth_views.PasswordResetConfirmView):
    template_name = "web/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("web:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user)  # as the API's reset: every sign-in of the account ends
        return response


class PasswordResetCompletePage(auth_views.PasswordResetCompleteView):
    template_name = "web/accounts/password_reset_complete.html"
