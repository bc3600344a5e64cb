"""Comparable forms of organisation names and registration numbers. Pure functions, no Django.

Two registrations are namesakes when their names agree once case, accents, punctuation, spacing and
legal-form words are set aside: "Sunrise Textiles Pvt. Ltd." ≡ "SUNRISE-TEXTILES PRIVATE LIMITED" ≡
"sunrise textiles". A namesake is not refused (two real companies may share a name); it is flagged to
verifiers, and the public seller object shows which one the registry verified.
"""

import re
import unicodedata

# Legal-form words dropped from the end of a name (and "the" from its start), as they are written in
# the registries of the countries CarbonCred serves most: UK/IE/IN/SG/AU (ltd, plc, pvt, pte, pty, llp),
# US/CA (inc, corp, llc, co), DE/AT/CH (gmbh, ag, kg, ug, ohg, ev), FR/IT/ES/PT/BE (sa, sas, sarl, srl,
# spa, sl, lda, sprl), NL (bv, nv), Nordics (ab, as, asa, oy, aps), JP (kk).
LEGAL_FORM_WORDS = frozenset(
    {
        "ab", "ag", "aps", "as", "asa", "bv", "co", "company", "corp", "corporation", "ev", "gmbh", "inc",
        "incorporated", "kg", "kk", "lda", "limited", "llc", "llp", "lp", "ltd", "nv", "ohg", "oy", "plc",
        "private", "pte", "pty", "pvt", "sa", "sarl", "sas", "sl", "spa", "sprl", "srl", "ug",
    }
)  # fmt: skip
# Dotted or spaced spellings of legal forms, joined before the words are split ("S.A.", "G m b H").
_DOTTED_FORMS = re.compile(
    r"\b(?:s\.?\s?a\.?\s?r\.?\s?l|s\.?\s?p\.?\s?a|s\.?\s?a\.?\s?s|s\.?\s?r\.?\s?l|s\.?\s?a|b\.?\s?v|n\.?\s?v"
    r"|p\.?\s?l\.?\s?c|l\.?\s?l\.?\s?c|l\.?\s?l\.?\s?p|g\.?\s?m\.?\s?b\.?\s?h)\b\.?"
)


def _ascii_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("&", " and ").replace("ß", "ss")
    plain = _DOTTED_FORMS.sub(lambda match: re.sub(r"[.\s]", "", match.group(0)), plain)
    return re.findall(r"[^\W_]+", plain)


def name_key(name: str) -> str:
    """The comparable form of an organisation's name (see the module docstring); never empty for a
    name with a letter or digit in it."""
    words = _ascii_words(name)
    core = list(words)
    while core and core[-1] in LEGAL_FORM_WORDS:
        core.pop()
    if core and core[0] == "the":
        core.pop(0)
    return "".join(core or words)


def registration_key(number: str) -> str:
    """A registration number as registries compare it: letters and digits only, upper case
    (``"hrb 12 345"`` ≡ ``"HRB12345"``). Leading zeros count: ``01234567`` is a UK company number."""
    return "".join(re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", number))).upper()
