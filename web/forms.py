"""The pages' forms: fields, labels, widgets and help. They check nothing themselves — each page
passes what was typed to the API's input serializer and the app's service (web.calls), and shows
their refusals on these fields. ``required`` here only tells the browser what to ask for."""

from django import forms
from django_countries import countries

from core.currencies import Currency
from emissions.activities import ACTIVITIES
from projects.models import Project
from verification.models import EvidenceItem


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
    generation_kwh = _number("Metered generation (kWh)", required=False, help_text="Solar: over the period.")
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


PARAMETER_FIELDS = {
    "solar": ("capacity_kwp", "generation_kwh"),
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
