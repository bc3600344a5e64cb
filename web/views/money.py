"""The organisation's money: balances, a bank-transfer top-up with its instructions, the bank
account and payouts, the statement (and its CSV), and order receipts. Every write is the service
the API calls, behind the API's input serializer (web.calls)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from accounts.roles import Ability
from core.csv import csv_response
from marketplace.receipt import order_receipt_pdf
from marketplace.selectors import order_get_for
from payments.models import TopUp
from payments.selectors import balances_for, bank_account_for, payout_list_for, statement_for, top_up_list_for
from payments.serializers import (
    STATEMENT_CSV_COLUMNS,
    BankAccountInputSerializer,
    PayoutCreateInputSerializer,
    StatementEntryOutputSerializer,
    TopUpCreateInputSerializer,
)
from payments.services import bank_account_set, payout_request, top_up_request
from web.calls import PageError, call, form_errors, parse
from web.forms import BankAccountForm, PayoutForm, TopUpForm
from web.views.common import app_page, organization, page_number, person, role_check

PAGE_SIZE = 25
FORMS = {"top_up": TopUpForm, "bank_account": BankAccountForm, "payout": PayoutForm}


def _submitted(request: HttpRequest, form) -> dict[str, Any]:
    return {name: request.POST.get(name, "") for name in form.fields if request.POST.get(name, "") != ""}


@require_http_methods(["GET", "HEAD", "POST"])
@app_page
def balance(request: HttpRequest) -> HttpResponse:
    user = person(request)
    org = user.organization
    which = request.POST.get("form", "") if request.method == "POST" else ""
    forms = {
        # Field names as the API's (no prefix); ids per form, so two "amount" fields never share one.
        name: form_class(request.POST if which == name else None, auto_id=f"{name}_%s")
        for name, form_class in FORMS.items()
    }
    status = 200
    if which in forms:
        form = forms[which]
        if which != "top_up":
            role_check(request, Ability.PAYOUTS)  # where money goes, and money leaving: admins and owners
        try:
            if which == "top_up":
                data = parse(TopUpCreateInputSerializer, _submitted(request, form))
                top_up = call(top_up_request, organization=org, user=user, **data)
                messages.success(
                    request,
                    f"Top-up {top_up.reference} requested: transfer {top_up.amount} {top_up.currency} with that "
                    "reference. The instructions are below.",
                )
            elif which == "bank_account":
                data = parse(BankAccountInputSerializer, _submitted(request, form))
                call(bank_account_set, organization=org, **data)
                messages.success(request, "Bank account saved.")
            else:
                data = parse(PayoutCreateInputSerializer, _submitted(request, form))
                payout = call(payout_request, organization=org, user=user, **data)
                messages.success(request, f"Payout of {payout.amount} {payout.currency} requested.")
        except PageError as error:
            form_errors(form, error)
            status = error.status
        else:
            return redirect("web:balance")
    paginator = Paginator(statement_for(organization=org), PAGE_SIZE)
    context = {
        "balances": balances_for(organization=org),
        "pending_top_ups": list(top_up_list_for(organization=org).filter(status=TopUp.Status.PENDING)[:10]),
        "bank_account": bank_account_for(organization=org),
        "payouts": list(payout_list_for(organization=org)[:10]),
        "page": paginator.get_page(page_number(request)),
        **{f"{name}_form": form for name, form in forms.items()},
    }
    return render(request, "web/app/balance.html", context, status=status)


@require_safe
@app_page
def statement_csv(request: HttpRequest) -> StreamingHttpResponse:
    rows = (
        StatementEntryOutputSerializer(posting).data
        for posting in statement_for(organization=organization(request)).iterator(chunk_size=500)
    )
    return csv_response(rows, STATEMENT_CSV_COLUMNS, filename="carboncred-statement.csv")


@require_safe
@app_page
def order_receipt(request: HttpRequest, order_id) -> HttpResponse:
    order = order_get_for(organization=organization(request), order_id=order_id)
    response = HttpResponse(order_receipt_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"carboncred-receipt-{order.pk}.pdf"
    )
    return response
