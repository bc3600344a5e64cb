"""The pages' forms: fields, labels, widgets and help. They check nothing themselves — each page
passes what was typed to the API's input serializer and the app's service (web.calls), and shows
their refusals on these fields. ``required`` here only tells the browser what to ask for."""

from django import forms
from django_countries import countries

from accounts.models import ApiKeyScope, VerificationStatus
from core.currencies import Currency
from documents.models import Document
from emissions.activities import ACTIVITIES
from projects.models import Project
from verification.models import EvidenceItem
from webhooks.events import EventType


def _text(label: str, *, help_text: str = "", required: bool = True, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.TextInput(attrs={"required": required, **attrs})
    )


def _number(label: str, *, help_text: str = "", required: bool = True, step: str = "any", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"required": required, "step": step, "inputmode": "decimal", **attrs}),
    )


def _integer(label: str, *, help_text: str = "", required: bool = True, **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.NumberInput(
            attrs={"required": required, "step": "1", "min": "1", "inputmode": "numeric", **attrs}
        ),
    )


def _date(label: str, *, help_text: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date", "required": required}),
    )


def _choice(
    label: str, choices, *, help_text: str = "", blank: str | None = None, required: bool = True
) -> forms.ChoiceField:
    options = [("", blank), *choices] if blank is not None else list(choices)
    return forms.ChoiceField(
        label=label,
        required=False,
        help_text=help_text,
        choices=options,
        widget=forms.Select(attrs={"required": required}),
    )


COUNTRY_CHOICES = [(code, f"{name} ({code})") for code, name in countries]
CATEGORY_CHOICES = Project.Category.choices
CURRENCY_CHOICES = [(value, f"{value} ({label})") for value, label in Currency.choices]


# --- accounts ---------------------------------------------------------------------------------


class LoginForm(forms.Form):
    email = forms.CharField(
        label="Email",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True, "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "required": True}),
    )


class SignupForm(forms.Form):
    email = forms.CharField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email", "required": True})
    )
    password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        help_text="At least 10 characters; not a common password, not only digits, not like your e-mail address.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "required": True, "minlength": 10}),
    )
    organization_name = _text(
        "Organisation name", help_text="Your business as it is registered.", autocomplete="organization"
    )
    country = _choice("Country", COUNTRY_CHOICES, blank="Choose a country")
    sector = _text("Sector", required=False, help_text="Optional, e.g. bakery, logistics.")
    website = forms.CharField(
        label="Website", required=False, help_text="Optional.", widget=forms.URLInput(attrs={"placeholder": "https://"})
    )


# --- public -----------------------------------------------------------------------------------


class MarketFilterForm(forms.Form):
    category = _choice("Category", CATEGORY_CHOICES, blank="Any category", required=False)
    country = _choice("Country", COUNTRY_CHOICES, blank="Any country", required=False)
    vintage = _integer("Vintage", required=False, placeholder="e.g. 2025", min="1990", max="2999")
    min_price = _number("Lowest price per tonne", required=False, step="0.01", min="0")
    max_price = _number("Highest price per tonne", required=False, step="0.01", min="0")
    ordering = _choice(
        "Sort by",
        [
            ("price_per_tonne", "Price, lowest first"),
            ("-price_per_tonne", "Price, highest first"),
            ("-created_at", "Newest first"),
            ("-vintage", "Vintage, newest first"),
            ("vintage", "Vintage, oldest first"),
        ],
        required=False,
    )


class RegistrySearchForm(forms.Form):
    serial = forms.CharField(
        label="Serial",
        required=False,
        help_text="A block's serial (CC-IN-000012-2025-1-900), one kilogram's (CC-IN-000012-2025-17) "
        "or a serial number.",
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false", "autocomplete": "off"}),
    )


class BuyForm(forms.Form):
    listing = forms.CharField(widget=forms.HiddenInput, required=False)
    quantity_kg = _integer("Quantity to buy (kg)", help_text="1 tonne = 1,000 kg. All or part of what is offered.")


# --- the SME's workspace ----------------------------------------------------------------------


class TopUpForm(forms.Form):
    amount = _number("Amount", help_text="What you will transfer, e.g. 250.00.", min="0.01", step="0.01")
    currency = _choice("Currency", CURRENCY_CHOICES)


class BankAccountForm(forms.Form):
    holder_name = _text("Account holder", maxlength="200")
    account_number = _text("Account number or IBAN", maxlength="64", autocomplete="off")
    bank_code = _text("Bank code", required=False, help_text="BIC/SWIFT, sort code, IFSC or routing number.")


class PayoutForm(forms.Form):
    amount = _number("Payout amount", min="0.01", step="0.01")
    currency = _choice("Payout currency", CURRENCY_CHOICES)


ACTIVITY_CHOICES = [(key, f"{activity.label} (scope {activity.scope})") for key, activity in ACTIVITIES.items()]


class EmissionReportForm(forms.Form):
    period_start = _date("Period start")
    period_end = _date("Period end")


class EmissionLineForm(forms.Form):
    activity = _choice("Activity", ACTIVITY_CHOICES, blank="Choose an activity", required=False)
    quantity = _number("Quantity", required=False, min="0")
    unit = _text("Unit", required=False, help_text="kWh, m3, litres, kg, km, passenger-km…", list="units")
    region = _text("Region", required=False, help_text="Optional; default your country.", maxlength="16")


class EmissionCsvForm(forms.Form):
    period_start = _date("Period start")
    period_end = _date("Period end")
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="Header row: activity,quantity,unit,region (region may be empty). One line per row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "required": True}),
    )


def _file(label: str, *, help_text: str = "", required: bool = False, accept: str = "") -> forms.FileField:
    attrs: dict[str, object] = {"required": required}
    if accept:
        attrs["accept"] = accept
    return forms.FileField(label=label, required=False, help_text=help_text, widget=forms.ClearableFileInput(attrs))


DOCUMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,.csv,application/pdf,image/png,image/jpeg,text/csv"
DOCUMENT_HELP = "PDF, PNG, JPEG or CSV, at most 10 MiB. A file is stored once in the whole registry."


class SiteForm(forms.Form):
    name = _text("Name", help_text="How you call the place, e.g. Pune bakery roof.", maxlength="200")
    country = _choice("Country", COUNTRY_CHOICES, blank="Choose a country")
    latitude = _number(
        "Latitude", help_text="Decimal degrees, e.g. 18.5204 (north positive). Must be inside the country.",
        min="-90", max="90",
    )  # fmt: skip
    longitude = _number("Longitude", help_text="Decimal degrees, e.g. 73.8567 (east positive).", min="-180", max="180")
    address = forms.CharField(
        label="Address", required=False, help_text="Optional.", widget=forms.Textarea(attrs={"rows": 2})
    )
    meter_ids = forms.CharField(
        label="Meter ids",
        required=False,
        help_text="One per line: the meter or grid-connection numbers (MPAN, consumer number…). A meter already "
        "registered on another site puts this one under review.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )
    capacity_kw = _number(
        "Capacity (kW, kWp for solar)", required=False, help_text="Optional.", step="0.001", min="0.001"
    )


class SiteChangeForm(forms.Form):
    name = _text("Name", maxlength="200")
    address = forms.CharField(
        label="Address", required=False, help_text="Optional.", widget=forms.Textarea(attrs={"rows": 2})
    )
    meter_ids = forms.CharField(
        label="Meter ids",
        required=False,
        help_text="One per line. Adding or removing a meter puts the site under review again.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )
    capacity_kw = _number(
        "Capacity (kW, kWp for solar)",
        required=False,
        help_text="A new capacity puts the site under review again.",
        step="0.001",
        min="0.001",
    )


class ReadingsCsvForm(forms.Form):
    file = _file(
        "Readings CSV",
        required=True,
        accept=".csv,text/csv",
        help_text="Header row: meter_id,unit,start,end,value. Unit Wh, kWh or MWh; start and end as ISO 8601 "
        "date-times with a UTC offset (2024-06-01T10:00:00+02:00). At most 10,000 rows.",
    )


class ProjectForm(forms.Form):
    title = _text("Title", maxlength="200")
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = _choice("Category", CATEGORY_CHOICES, blank="Choose a category")
    country = _choice("Country", COUNTRY_CHOICES, blank="Choose a country")
    start_date = _date("Start date")
    latitude = _number(
        "Latitude", required=False, help_text="Optional, decimal degrees (e.g. 19.0760).", min="-90", max="90"
    )
    longitude = _number("Longitude", required=False, help_text="Optional, with the latitude.", min="-180", max="180")
    site = forms.ChoiceField(
        label="Site",
        required=False,
        choices=[],
        help_text="Where the project is: one of your registered sites, in the project's country. Claims of a "
        "project without a site are always checked by a verifier.",
    )

    field_order = ["title", "description", "category", "country", "site", "start_date", "latitude", "longitude"]


class ClaimForm(forms.Form):
    project = forms.ChoiceField(
        label="Project", required=False, choices=[], widget=forms.Select(attrs={"required": True})
    )
    period_start = _date("Monitoring period start")
    period_end = _date("Monitoring period end", help_text="Credits are issued after the period: it must have ended.")
    claimed_reduction_kg = _integer(
        "Claimed reduction (kg)",
        required=False,
        help_text="Optional; the smaller of this and the computed figure is issued.",
    )
    # parameters, by category (only those of the project's category are sent)
    capacity_kwp = _number("Installed capacity (kWp)", required=False, help_text="Solar.")
    generation_kwh = _number(
        "Metered generation (kWh)",
        required=False,
        help_text="Solar: over the period. With stored readings it may stay empty (if given, the lesser counts).",
    )
    source = _choice(
        "Generation from",
        [("declared", "The figure I enter"), ("readings", "My site's stored meter readings")],
        required=False,
        help_text="Solar: stored readings (uploaded on the site's page) are the strongest evidence.",
    )
    measure = _choice(
        "Measure",
        [
            (v, v.upper() if v in ("led", "hvac") else v.capitalize())
            for v in ("led", "hvac", "motor", "insulation", "other")
        ],
        blank="—",
        required=False,
        help_text="Energy efficiency.",
    )
    energy_carrier = _choice(
        "Energy carrier",
        [("electricity", "Electricity"), ("natural_gas", "Natural gas"), ("diesel", "Diesel")],
        blank="—",
        required=False,
        help_text="Energy efficiency.",
    )
    baseline_kwh = _number(
        "Consumption before (kWh)", required=False, help_text="Energy efficiency: a period of equal length."
    )
    post_kwh = _number("Consumption after (kWh)", required=False, help_text="Energy efficiency: over the period.")
    material = _choice(
        "Material",
        [(v, v.capitalize()) for v in ("paper", "cardboard", "plastic", "metal", "glass", "organic", "mixed")],
        blank="—",
        required=False,
        help_text="Recycling.",
    )
    mass_kg = _number("Mass recycled (kg)", required=False, help_text="Recycling: over the period.")
    baseline_fuel = _choice(
        "Fuel before",
        [(v, v.replace("_", " ").capitalize()) for v in ("diesel", "petrol", "lpg", "natural_gas", "heating_oil")],
        blank="—",
        required=False,
        help_text="Fuel switch.",
    )
    baseline_quantity = _number("Quantity before", required=False, help_text="Fuel switch.")
    new_fuel = _choice(
        "Fuel after",
        [
            (v, v.replace("_", " ").capitalize())
            for v in ("electricity", "solar", "diesel", "petrol", "lpg", "natural_gas", "heating_oil")
        ],
        blank="—",
        required=False,
        help_text="Fuel switch.",
    )
    new_quantity = _number("Quantity after", required=False, help_text="Fuel switch.")
    unit = _choice(
        "Unit of the fuel quantities",
        [("kWh", "kWh"), ("litre", "litres"), ("m3", "m³")],
        blank="—",
        required=False,
        help_text="Fuel switch.",
    )
    # one evidence item (more through the API)
    evidence_kind = _choice(
        "Evidence: kind of document", EvidenceItem.Kind.choices, blank="Choose a kind", required=False
    )
    evidence_reference = _text(
        "Evidence: the document's number", required=False, help_text="Each document backs one claim only."
    )
    evidence_period_start = _date("Evidence: from", required=False)
    evidence_period_end = _date("Evidence: to", required=False)
    evidence_quantity = _number("Evidence: quantity it shows", required=False, min="0")
    evidence_unit = _choice(
        "Evidence: unit", [(u, u) for u in ("kWh", "MWh", "litre", "m3", "kg", "t")], blank="—", required=False
    )
    evidence_file = _file("Evidence: upload the document", accept=DOCUMENT_ACCEPT, help_text=DOCUMENT_HELP)
    evidence_document = forms.ChoiceField(
        label="Evidence: or a file you uploaded before",
        required=False,
        choices=[],
        help_text="Its SHA-256 goes into the ledger entry of the credits it backs.",
    )


PARAMETER_FIELDS = {
    "solar": ("capacity_kwp", "generation_kwh", "source"),
    "energy_efficiency": ("measure", "energy_carrier", "baseline_kwh", "post_kwh"),
    "recycling": ("material", "mass_kg"),
    "fuel_switch": ("baseline_fuel", "baseline_quantity", "new_fuel", "new_quantity", "unit"),
}
EVIDENCE_FIELDS = ("kind", "reference", "period_start", "period_end", "quantity", "unit")


class ListForm(forms.Form):
    block = forms.CharField(widget=forms.HiddenInput, required=False)
    quantity_kg = _integer("Quantity to list (kg)")
    price_per_tonne = _number("Price per tonne", step="0.01", min="0.01")
    currency = _choice("Currency", CURRENCY_CHOICES)


class TransferForm(forms.Form):
    block = forms.CharField(widget=forms.HiddenInput, required=False)
    quantity_kg = _integer("Quantity to transfer (kg)")
    to_organization = _integer("Receiving organisation's number", help_text="They find it on their dashboard.")


class RetireForm(forms.Form):
    block = forms.CharField(widget=forms.HiddenInput, required=False)
    quantity_kg = _integer("Quantity to retire (kg)")
    beneficiary = _text("On behalf of", help_text="Printed on the certificate.", maxlength="150")
    reason = _text("Reason", help_text="e.g. Offsetting our 2025 scope 2 emissions.", maxlength="300")


class ReviewDecisionForm(forms.Form):
    note = forms.CharField(
        label="Note for the record", required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )


# --- integrations: API keys and webhooks -------------------------------------------------------


class ApiKeyForm(forms.Form):
    name = _text("Name", maxlength="50", help_text="What the key is for, e.g. “ERP sync”.")
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        required=False,
        choices=ApiKeyScope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="A key can do only what its scopes allow; anything else needs a person signed in.",
    )


class WebhookForm(forms.Form):
    url = _text("URL", maxlength="2000", help_text="Where the events are POSTed (https, a public address).")
    description = _text("Description", required=False, maxlength="200")
    events = forms.MultipleChoiceField(
        label="Events", required=False, choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )


# --- members and the account ------------------------------------------------------------------

ROLE_CHOICES = [
    ("viewer", "Viewer: reads everything, changes nothing"),
    ("member", "Member: the everyday work (emissions, projects, claims, trading)"),
    ("admin", "Admin: also members, invitations and the organisation's details"),
    ("owner", "Owner: everything, including other owners"),
]


_RULES = str(SignupForm.base_fields["password"].help_text)  # the password rules, as the sign-up page states them


def _password(label: str, *, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete, "required": True}),
    )


class InviteForm(forms.Form):
    email = forms.CharField(
        label="Email", required=False, widget=forms.EmailInput(attrs={"autocomplete": "off", "required": True})
    )
    role = _choice("Role", ROLE_CHOICES)


class MemberRoleForm(forms.Form):
    role = _choice("Role", ROLE_CHOICES)


class ProfileForm(forms.Form):
    full_name = _text("Your name", required=False, autocomplete="name")


class OrganizationDetailsForm(forms.Form):
    name = _text("Organisation name", help_text="Your trading name, shown on the market.", autocomplete="organization")
    sector = _text("Sector", required=False)
    website = forms.CharField(label="Website", required=False, widget=forms.URLInput(attrs={"placeholder": "https://"}))
    employees = _integer("Employees", required=False, help_text="For the emissions intensity per employee.")
    annual_revenue = _number("Annual revenue", required=False, help_text="For the intensity per revenue.")
    revenue_currency = _text("Revenue currency", required=False, help_text="ISO 4217, e.g. GBP.", maxlength="3")


class PasswordChangePageForm(forms.Form):
    old_password = _password("Current password", autocomplete="current-password")
    new_password = _password("New password", autocomplete="new-password", help_text=_RULES)


class InvitationAcceptForm(forms.Form):
    full_name = _text("Your name", required=False, autocomplete="name")
    password = _password("Password", autocomplete="new-password", help_text=_RULES)


class AuditConfirmForm(forms.Form):
    note = forms.CharField(
        label="Finding", required=False, help_text="What you checked; kept with the audit.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )  # fmt: skip


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the reversal",
        required=False,
        help_text="Public: recorded in the ledger entries' memo.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000, "required": True}),
    )


# --- organisations: standing ------------------------------------------------------------------


class VerificationRequestForm(forms.Form):
    legal_name = _text(
        "Legal name", help_text="As in the company register.", maxlength="200", autocomplete="organization"
    )
    registration_number = _text(
        "Registration number", help_text="Company or tax registry number (CIN, company number, VAT…).", maxlength="64"
    )
    website = forms.CharField(
        label="Website", required=False, help_text="Optional.", widget=forms.URLInput(attrs={"placeholder": "https://"})
    )
    file = _file(
        "Register extract",
        accept=DOCUMENT_ACCEPT,
        help_text="The extract or certificate of incorporation the verifier checks you against. " + DOCUMENT_HELP,
    )
    documents = forms.MultipleChoiceField(
        label="Documents you uploaded before",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )


class OrganizationVerifyForm(forms.Form):
    note = forms.CharField(
        label="Note for the record", required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000})
    )
    registration_number = _text(
        "Registration number checked", required=False, help_text="Optional: record or correct it.", maxlength="64"
    )


class OrganizationRejectForm(forms.Form):
    note = forms.CharField(
        label="Why the request is turned down",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class OrganizationSuspendForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the suspension",
        required=False,
        help_text="Kept in the organisation's history. Its open listings are withdrawn.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000, "required": True}),
    )


VERIFICATION_STATUS_CHOICES = VerificationStatus.choices
DOCUMENT_KIND_CHOICES = Document.Kind.choices
