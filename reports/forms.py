"""The public check form: a document to hash, or the SHA-256 a customer already has."""

import re

from django import forms

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class ReportCheckForm(forms.Form):
    document = forms.FileField(
        required=False, label="The PDF you received", help_text="Hashed here; the file is not kept."
    )
    sha256 = forms.CharField(
        required=False,
        max_length=80,
        label="Or its SHA-256",
        help_text="64 hexadecimal characters, e.g. from sha256sum or Get-FileHash.",
    )

    def clean_sha256(self) -> str:
        value = "".join(self.cleaned_data.get("sha256", "").split()).lower()
        if value and not SHA256.match(value):
            raise forms.ValidationError("A SHA-256 is 64 hexadecimal characters (0-9, a-f).")
        return value

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if bool(cleaned.get("document")) == bool(cleaned.get("sha256")) and not self.errors:
            raise forms.ValidationError("Upload the PDF or enter its SHA-256 (one of the two).")
        return cleaned
