"""Tax profiles: an expert's W-9 (US persons) or W-8BEN (non-US individuals), shown masked.

The taxpayer identification number is kept in ``TaxProfile.tax_id`` and never shown in full:
not to staff, not back to the expert (a change means typing it again), only its last four.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.db.helpers import insert_or_get
from gigcx.errors import PermissionDenied
from gigcx.kit import clock
from gigcx.kit.countries import COUNTRIES
from gigcx.payments.enums import TaxClassification, TaxForm, TinType
from gigcx.payments.errors import InvalidTaxProfile
from gigcx.payments.models import TaxProfile
from gigcx.payments.schemas import TaxProfileUpdate
from gigcx.payments.service._methods import HIDDEN, may_read_pay_details

FORM_NAMES = {TaxForm.W9: "Form W-9 (US person)", TaxForm.W8BEN: "Form W-8BEN (non-US individual)"}
TIN_NAMES = {TinType.SSN: "SSN", TinType.EIN: "EIN", TinType.FOREIGN: "foreign TIN"}
CLASSIFICATION_NAMES = {
    TaxClassification.INDIVIDUAL: "Individual/sole proprietor",
    TaxClassification.C_CORPORATION: "C corporation",
    TaxClassification.S_CORPORATION: "S corporation",
    TaxClassification.PARTNERSHIP: "Partnership",
    TaxClassification.TRUST_ESTATE: "Trust/estate",
    TaxClassification.LLC: "Limited liability company",
    TaxClassification.OTHER: "Other",
}
# EIN prefixes the IRS does not assign.
_UNASSIGNED_EIN_PREFIXES = frozenset(
    {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89"}
    | {"96", "97"}
)
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
_FOREIGN_TIN = re.compile(r"^[A-Z0-9][A-Z0-9 ./-]{0,28}[A-Z0-9]$|^[A-Z0-9]$")


@dataclass(frozen=True, slots=True)
class TaxProfileView:
    """A tax profile as people see it: the tax id by its last four characters only."""

    form: TaxForm
    form_name: str
    legal_name: str
    business_name: str
    tax_classification: str
    citizenship_country: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    tin_type: TinType
    tin_last4: str
    date_of_birth: date | None
    treaty_country: str
    treaty_article: str
    signature_name: str
    certified_at: datetime
    updated_at: datetime

    @property
    def tin_masked(self) -> str:
        """ "SSN ····6789": the kind and the last four characters."""
        return f"{TIN_NAMES[self.tin_type]} {HIDDEN}{self.tin_last4}"


def _view(profile: TaxProfile) -> TaxProfileView:
    return TaxProfileView(
        form=TaxForm(profile.form),
        form_name=FORM_NAMES[TaxForm(profile.form)],
        legal_name=profile.legal_name,
        business_name=profile.business_name,
        tax_classification=profile.tax_classification,
        citizenship_country=profile.citizenship_country,
        street=profile.street,
        city=profile.city,
        region=profile.region,
        postal_code=profile.postal_code,
        country=profile.country,
        tin_type=TinType(profile.tin_type),
        tin_last4=last4(profile.tax_id),
        date_of_birth=profile.date_of_birth,
        treaty_country=profile.treaty_country,
        treaty_article=profile.treaty_article,
        signature_name=profile.signature_name,
        certified_at=profile.certified_at,
        updated_at=profile.updated_at,
    )


def last4(tax_id: str) -> str:
    """The last four letters or digits of a tax id, separators left out."""
    return "".join(ch for ch in tax_id if ch.isalnum())[-4:]


def tax_profile_of(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> TaxProfileView | None:
    """The expert's tax profile as this principal may see it (masked), or None."""
    if not may_read_pay_details(session, principal, expert_id):
        raise PermissionDenied("you cannot see this expert's tax profile")
    profile = session.scalar(select(TaxProfile).where(TaxProfile.expert_id == expert_id))
    return None if profile is None else _view(profile)


def normalized_ssn(text: str) -> str:
    """A valid SSN as 123-45-6789, or raise: 9 digits, no 000/666/9xx area, 00 group, 0000."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{9}", digits):
        raise InvalidTaxProfile("tax_id", "An SSN has 9 digits, written as 123-45-6789.")
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area.startswith("9") or group == "00" or serial == "0000":
        raise InvalidTaxProfile(
            "tax_id", "This is not an SSN the Social Security Administration issues; check it."
        )
    return f"{area}-{group}-{serial}"


def normalized_ein(text: str) -> str:
    """A valid EIN as 12-3456789, or raise: 9 digits with a prefix the IRS assigns."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"[0-9]{9}", digits):
        raise InvalidTaxProfile("tax_id", "An EIN has 9 digits, written as 12-3456789.")
    if digits[:2] in _UNASSIGNED_EIN_PREFIXES:
        raise InvalidTaxProfile(
            "tax_id", f"No EIN starts with {digits[:2]}; copy it again from your IRS letter."
        )
    return f"{digits[:2]}-{digits[2:]}"


def _country(field: str, value: str, *, required: bool = True) -> str:
    code = value.strip().upper()
    if not code and not required:
        return ""
    if code not in COUNTRIES:
        raise InvalidTaxProfile(
            field,
            f"{value.strip() or 'Nothing'} is not a country; use a two-letter ISO 3166 "
            "code such as US, DE or PT.",
        )
    return code


def _text(field: str, value: str, limit: int, *, required: str | None = None) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise InvalidTaxProfile(field, required)
    if len(text) > limit:
        raise InvalidTaxProfile(field, f"Shorten it to {limit} characters.")
    return text


def _birth_date(value: str, today: date) -> date:
    try:
        born = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidTaxProfile(
            "date_of_birth", "Enter your date of birth as YYYY-MM-DD, for example 1990-04-27."
        ) from None
    if not date(1900, 1, 1) <= born < today:
        raise InvalidTaxProfile("date_of_birth", "Enter a date of birth in the past, after 1900.")
    return born


def checked_profile(data: TaxProfileUpdate, *, today: date) -> dict[str, object]:
    """The fields to store, validated for their form; raise ``InvalidTaxProfile`` on the first
    problem. ``tax_id`` is "" when none was typed (keep the stored one)."""
    try:
        form = TaxForm(data.form)
    except ValueError:
        raise InvalidTaxProfile(
            "form", "Choose w9 (US persons) or w8ben (individuals who are not US persons)."
        ) from None
    fields: dict[str, object] = {
        "form": form,
        "legal_name": _text("legal_name", data.legal_name, 200, required="Enter your legal name."),
        "street": _text("street", data.street, 200, required="Enter the street address."),
        "city": _text("city", data.city, 100, required="Enter the city."),
        "region": _text("region", data.region, 100),
        "postal_code": _text("postal_code", data.postal_code, 20),
    }
    typed_tin = data.tax_id.strip()
    if form == TaxForm.W9:
        try:
            classification = TaxClassification(data.tax_classification)
        except ValueError:
            raise InvalidTaxProfile(
                "tax_classification",
                "Choose the federal tax classification: "
                + ", ".join(c.value for c in TaxClassification),
            ) from None
        country = _country("country", data.country or "US")
        if country != "US":
            raise InvalidTaxProfile(
                "country", "A W-9 is for US persons with a US address; non-US people use W-8BEN."
            )
        if not fields["region"]:
            raise InvalidTaxProfile("region", "Enter the state, for example CA.")
        if not _ZIP.match(str(fields["postal_code"])):
            raise InvalidTaxProfile("postal_code", "Enter the ZIP code: 12345 or 12345-6789.")
        try:
            tin_type = TinType(data.tin_type)
        except ValueError:
            tin_type = TinType.FOREIGN
        if tin_type not in {TinType.SSN, TinType.EIN}:
            raise InvalidTaxProfile("tin_type", "Choose ssn or ein for a W-9.")
        if typed_tin:
            typed_tin = (normalized_ssn if tin_type == TinType.SSN else normalized_ein)(typed_tin)
        fields |= {
            "business_name": _text("business_name", data.business_name, 200),
            "tax_classification": classification,
            "citizenship_country": "",
            "country": "US",
            "tin_type": tin_type,
            "date_of_birth": None,
            "treaty_country": "",
            "treaty_article": "",
        }
    else:
        country = _country("country", data.country)
        if country == "US":
            raise InvalidTaxProfile(
                "country", "A W-8BEN is for people who live outside the US; US persons use W-9."
            )
        citizenship = _country("citizenship_country", data.citizenship_country)
        if citizenship == "US":
            raise InvalidTaxProfile(
                "citizenship_country", "US citizens are US persons and use a W-9."
            )
        if typed_tin:
            typed_tin = typed_tin.upper()
            if not _FOREIGN_TIN.match(typed_tin):
                raise InvalidTaxProfile(
                    "tax_id",
                    "Enter the tax number your country of residence gave you: up to 30 "
                    "letters and digits (spaces, dots, dashes and slashes are fine).",
                )
        treaty_country = _country("treaty_country", data.treaty_country, required=False)
        article = _text("treaty_article", data.treaty_article, 100)
        if article and not treaty_country:
            raise InvalidTaxProfile(
                "treaty_country", "Name the treaty country of the article you claim."
            )
        fields |= {
            "business_name": "",
            "tax_classification": "",
            "citizenship_country": citizenship,
            "country": country,
            "tin_type": TinType.FOREIGN,
            "date_of_birth": _birth_date(data.date_of_birth, today),
            "treaty_country": treaty_country,
            "treaty_article": article,
        }
    signature = _text(
        "signature_name", data.signature_name, 200, required="Sign by typing your legal name."
    )
    if signature.casefold() != str(fields["legal_name"]).casefold():
        raise InvalidTaxProfile(
            "signature_name", "Type your legal name exactly as above to sign the certification."
        )
    if not data.certify:
        raise InvalidTaxProfile(
            "certify",
            "Tick the certification: you declare under penalties of perjury that "
            "the information is true, correct and complete.",
        )
    fields["signature_name"] = signature
    fields["tax_id"] = typed_tin
    return fields


def set_tax_profile(
    session: Session, principal: Principal, data: TaxProfileUpdate
) -> TaxProfileView:
    """Store the signed-in expert's W-9 or W-8BEN, certified now by their typed signature.

    Leaving the tax id empty keeps the stored one when its kind (SSN, EIN, foreign) is unchanged.
    """
    if not principal.is_expert or principal.expert_id is None:
        raise PermissionDenied("only experts enter a tax profile, for themselves")
    expert_id = principal.expert_id
    now = clock.now()
    fields = checked_profile(data, today=now.date())

    def find() -> TaxProfile | None:
        return session.scalar(select(TaxProfile).where(TaxProfile.expert_id == expert_id))

    existing = find()
    if not fields["tax_id"]:
        if existing is None or existing.tin_type != fields["tin_type"]:
            name = TIN_NAMES[TinType(str(fields["tin_type"]))]
            raise InvalidTaxProfile("tax_id", f"Enter your {name}.")
        fields["tax_id"] = existing.tax_id
    if existing is not None:
        profile = existing
    else:
        # Two first saves at once: one inserts, the other updates what it wrote.
        profile, _ = insert_or_get(
            session,
            TaxProfile(expert_id=expert_id, certified_at=now, updated_at=now, **fields),
            find,
        )
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.certified_at = now
    profile.updated_at = now
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="tax_profile.saved",
        subject_type="expert",
        subject_id=expert_id,
        brand_id=None,
        data={"form": str(fields["form"]), "tin_type": str(fields["tin_type"])},
    )
    return _view(profile)
