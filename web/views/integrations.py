"""Integrations in the workspace: the organisation's API keys (the key shown once) and webhook endpoints
with their delivery log and a retry button. The same services as the API (``accounts.api_keys``,
``webhooks.services``), with the API's input serializers in front (web.calls)."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from accounts.api_keys import api_key_create, api_key_list_for, api_key_revoke
from accounts.roles import Ability
from accounts.serializers import ApiKeyCreateInputSerializer
from core.errors import NotFoundError
from web.calls import PageError, call, form_errors, parse
from web.forms import ApiKeyForm, WebhookForm
from web.views.common import app_page, organization, page_number, person, role_check
from webhooks.selectors import delivery_list_for, endpoint_get_for, endpoint_list_for
from webhooks.serializers import WebhookEndpointCreateInputSerializer
from webhooks.services import delivery_retry, endpoint_create, endpoint_delete, endpoint_update

PAGE_SIZE = 25


def _act(request: HttpRequest, service: Callable[..., Any], /, **kwargs: Any) -> Any:
    """``service(**kwargs)`` for a button: another organisation's object is the 404 page, any other refusal
    a message on the page it redirects to (None)."""
    try:
        return call(service, **kwargs)
    except PageError as error:
        if error.status == 404:
            raise NotFoundError() from None
        messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
        return None


@require_http_methods(["GET", "HEAD", "POST"])
@app_page(ability=Ability.INTEGRATIONS)
def api_keys(request: HttpRequest) -> HttpResponse:
    """The keys; a new one is shown on the answer to its POST only (never stored, never redirected with)."""
    form = ApiKeyForm(request.POST or None)
    status, created = 200, None
    if request.method == "POST":
        try:
            data = parse(
                ApiKeyCreateInputSerializer,
                {"name": request.POST.get("name", ""), "scopes": request.POST.getlist("scopes")},
            )
            created = call(api_key_create, organization=organization(request), created_by=person(request), **data)
        except PageError as error:
            form_errors(form, error)
            status = error.status
        else:
            form = ApiKeyForm()
    context: dict[str, Any] = {
        "form": form,
        "created": created,
        "keys": list(api_key_list_for(organization=organization(request))[:100]),
    }
    response = render(request, "web/app/api_keys.html", context, status=status)
    if created is not None:
        add_never_cache_headers(response)  # the key must not stay in any cache
    return response


@require_POST
@app_page(ability=Ability.INTEGRATIONS)
def api_key_revoke_page(request: HttpRequest, api_key_id: int) -> HttpResponse:
    org, user = organization(request), person(request)
    api_key = _act(request, api_key_revoke, organization=org, api_key_id=api_key_id, revoked_by=user)
    if api_key is not None:
        messages.success(request, f"Key “{api_key.name}” ({api_key.prefix}…) revoked: requests with it are refused.")
    return redirect("web:api-keys")


@require_http_methods(["GET", "HEAD", "POST"])
@app_page(ability=Ability.INTEGRATIONS)
def webhooks(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            data = parse(
                WebhookEndpointCreateInputSerializer,
                {
                    "url": request.POST.get("url", ""),
                    "description": request.POST.get("description", ""),
                    "events": request.POST.getlist("events"),
                },
            )
            endpoint = call(endpoint_create, organization=organization(request), created_by=person(request), **data)
        except PageError as error:
            form_errors(form, error)
            status = error.status
        else:
            messages.success(request, "Endpoint added. Verify deliveries with the secret below.")
            return redirect("web:webhook", endpoint_id=endpoint.pk)
    context = {"form": form, "endpoints": list(endpoint_list_for(organization=organization(request))[:100])}
    return render(request, "web/app/webhooks.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
@app_page(ability=Ability.INTEGRATIONS)
def webhook_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    role_check(request, Ability.INTEGRATIONS)  # the page shows the signing secret
    org = organization(request)
    endpoint = endpoint_get_for(organization=org, endpoint_id=endpoint_id)
    paginator = Paginator(delivery_list_for(organization=org, endpoint_id=endpoint.pk), PAGE_SIZE)
    context = {"endpoint": endpoint, "page": paginator.get_page(page_number(request))}
    response = render(request, "web/app/webhook_detail.html", context)
    add_never_cache_headers(response)  # it shows the secret
    return response


@require_POST
@app_page(ability=Ability.INTEGRATIONS)
def webhook_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    org = organization(request)
    endpoint = endpoint_get_for(organization=org, endpoint_id=endpoint_id)
    if _act(request, endpoint_update, organization=org, endpoint_id=endpoint.pk, active=not endpoint.active):
        messages.success(
            request, "Endpoint resumed." if not endpoint.active else "Endpoint paused: it receives nothing."
        )
    return redirect("web:webhook", endpoint_id=endpoint.pk)


@require_POST
@app_page(ability=Ability.INTEGRATIONS)
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = endpoint_get_for(organization=organization(request), endpoint_id=endpoint_id)
    _act(request, endpoint_delete, organization=organization(request), endpoint_id=endpoint.pk)
    messages.success(request, "Endpoint deleted.")
    return redirect("web:webhooks")


@require_POST
@app_page(ability=Ability.INTEGRATIONS)
def webhook_retry(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    org = organization(request)
    if _act(request, delivery_retry, organization=org, endpoint_id=endpoint_id, delivery_id=delivery_id):
        messages.success(request, "Delivery queued to be sent again.")
    return redirect("web:webhook", endpoint_id=endpoint_id)
