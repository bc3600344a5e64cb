"""Passwords: change (knowing the old one), and reset by e-mail with Django's one-time tokens.

There is one reset implementation for the API and the pages: Django's ``PasswordResetForm`` and
``default_token_generator``, with this module's form (:class:`PasswordResetMailForm`) and e-mail
templates (``accounts/email/password_reset*.txt``). The e-mail's link opens the web page; its last
two segments are the ``uid`` and ``token`` that ``POST /api/auth/password/reset/confirm/`` takes, and
the e-mail spells them out for apps too. Links are built on ``PUBLIC_BASE_URL``, never on the
request's Host header. A new password, by either way, ends every sign-in of the person
(``accounts.tokens.refresh_tokens_revoke_for``): a thief holding a refresh token is out.

A reset request does the same work whoever asks: it enqueues one task with the address
(:data:`password_reset_mail_task`, run by ``manage.py db_worker``), which looks the account up and
sends. The request never looks the address up nor waits for a mail server, so neither its answer
nor its timing tells whether an account exists.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.emails import email_normalize
from accounts.errors import PasswordResetLinkInvalidError
from accounts.models import RefreshTokenFamily, User
from accounts.tokens import refresh_tokens_revoke_for

SUBJECT_TEMPLATE = "accounts/email/password_reset_subject.txt"
EMAIL_TEMPLATE = "accounts/email/password_reset.txt"


class PasswordResetMailForm(PasswordResetForm):
    """Django's reset form, with the address normalised and looked up exactly (accounts.emails), the
    link on ``PUBLIC_BASE_URL``, and the sending in a task (``save`` enqueues, whoever calls it: the
    API's view or the pages' ``PasswordResetView``)."""

    def get_users(self, email):
        users = User.objects.filter(email=email_normalize(email), is_active=True)
        return (user for user in users if user.has_usable_password())

    def save(self, **kwargs) -> None:  # type: ignore[override]  # every option is fixed here
        """Enqueue the e-mail (see the module's docstring); the task calls :meth:`send_now`."""
        password_reset_mail_task.enqueue(email=self.cleaned_data["email"])

    def send_now(self) -> None:
        """Django's reset: one e-mail per active account with the address, with a one-time link."""
        base = urlsplit(settings.PUBLIC_BASE_URL)
        super().save(
            domain_override=base.netloc,
            use_https=base.scheme == "https",
            subject_template_name=SUBJECT_TEMPLATE,
            email_template_name=EMAIL_TEMPLATE,
            token_generator=default_token_generator,
        )


@task()
def password_reset_mail_task(email: str) -> None:
    """Send the reset e-mail to the active account with ``email``, if there is one."""
    form = PasswordResetMailForm(data={"email": email})
    if form.is_valid():
        form.send_now()


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link to the active account with this address, if there is one, through the
    task queue. The caller answers the same either way (no account enumeration)."""
    password_reset_mail_task.enqueue(email=email)


def _password_set(user: User, new_password: str, *, field: str) -> None:
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    user.set_password(new_password)
    user.save(update_fields=["password"])
    password_changed(user=user)


def password_changed(*, user: User) -> None:
    """What follows any new password: every sign-in of the person ends (the pages' reset calls this too)."""
    refresh_tokens_revoke_for(user=user, reason=RefreshTokenFamily.RevokedReason.PASSWORD)


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Set a new password for a person who knows the current one (400 ``old_password`` otherwise).
    Every refresh token of the person stops working; the caller hands out a new pair."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["This is not your current password."]})
    _password_set(user, new_password, field="new_password")


def password_reset_user(*, uid: str, token: str) -> User:
    """The person a reset link names, while its token is good (400 ``reset_link_invalid`` otherwise)."""
    try:
        pk = force_str(urlsafe_base64_decode(uid))
    except (ValueError, TypeError, OverflowError):
        raise PasswordResetLinkInvalidError() from None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk.isdigit() and len(pk) < 19 else None
    if user is None or not default_token_generator.check_token(user, token):
        raise PasswordResetLinkInvalidError()
    return user


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the password a reset e-mail allows. The token is Django's: it stops working once the
    password changes (it hashes the password), and after ``PASSWORD_RESET_TIMEOUT``."""
    user = password_reset_user(uid=uid, token=token)
    _password_set(user, new_password, field="new_password")
    return user
