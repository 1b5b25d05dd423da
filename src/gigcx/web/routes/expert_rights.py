"""The expert's rights: how automated systems treat them, decisions about them with a human
review, and their tax profile."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput
from gigcx.experts import service as experts_service
from gigcx.payments import service as payments_service
from gigcx.payments.enums import TaxClassification, TaxForm, TinType
from gigcx.payments.errors import InvalidTaxProfile
from gigcx.payments.schemas import TaxProfileUpdate
from gigcx.quality import service as quality_service
from gigcx.quality.enums import ContestedSystem
from gigcx.quality.schemas import HumanReviewCreate
from gigcx.routing import scoring
from gigcx.views import transparency
from gigcx.web.deps import CsrfChecked, Submitted, WebExpert, redirect, render
from gigcx.web.forms import plain_summary

router = APIRouter(include_in_schema=False)
SUBJECT_NAMES = {
    ContestedSystem.DECISION: "A pause or removal decided by the brand",
    ContestedSystem.TRIAGE: "AI triage of a ticket",
    ContestedSystem.ROUTING: "Offer ranking (routing score)",
    ContestedSystem.QUALITY_SCORE: "My quality score",
    ContestedSystem.TIER: "My tier or a tier change",
    ContestedSystem.WARNING: "A tier or removal warning",
    ContestedSystem.SURGE: "Surge pay",
    ContestedSystem.AWAY: "Being set away after lapsed offers",
}
TAX_FIELDS = tuple(name for name in TaxProfileUpdate.model_fields if name != "certify")


@router.get("/expert/transparency", response_class=HTMLResponse)
def transparency_page(request: Request, session: SessionDep, user: WebExpert) -> Response:
    """Every automated system that affects you: inputs, rules and how to contest it."""
    context = {
        "user": user,
        "systems": transparency.automated_systems(),
        "terms": scoring.TERMS,
        "programs": transparency.program_weights(session, user),
        "default_weights": transparency.default_weights(),
        "review_days": transparency.review_due_days(),
    }
    return render(request, "expert/transparency.html", context)


def _decisions_context(session: SessionDep, user: Principal) -> dict[str, Any]:
    assert user.expert_id is not None
    decisions = experts_service.list_decisions(session, user, expert_id=user.expert_id)
    cases = quality_service.list_human_reviews(session, user, expert_id=user.expert_id)
    program_ids = {d.program_id for d in decisions} | {c.program_id for c in cases}
    rows = session.execute(select(Program.id, Program.name).where(Program.id.in_(program_ids)))
    names = {program_id: name for program_id, name in rows}
    return {
        "user": user,
        "decisions": decisions,
        "cases": cases,
        "enrollments": transparency.enrolled_programs(session, user),
        "subjects": list(SUBJECT_NAMES.items()),
        "subject_names": SUBJECT_NAMES,
        "program_names": names,
        "decision_options": [("", "None")]
        + [
            (
                str(d.id),
                f"{names.get(d.program_id, '')}: {d.to_status} on {d.created_at:%Y-%m-%d}",
            )
            for d in decisions
        ],
        "review_days": transparency.review_due_days(),
    }


@router.get("/expert/decisions", response_class=HTMLResponse)
def decisions_page(
    request: Request, session: SessionDep, user: WebExpert, subject: str = ""
) -> Response:
    """Decisions about you, who made them and why, and your requests for a human review."""
    context = _decisions_context(session, user) | {"chosen": subject}
    return render(request, "expert/decisions.html", context)


@router.post("/expert/decisions/reviews", dependencies=[CsrfChecked])
def ask_for_review(session: SessionDep, user: WebExpert, form: Submitted) -> Response:
    """Ask a person at the brand to review a decision or an automated result."""
    values = {k: str(form.get(k, "")).strip() for k in ("enrollment_id", "subject", "request")}
    values["decision_id"] = str(form.get("decision_id", "")).strip() or None  # type: ignore[assignment]
    try:
        data = HumanReviewCreate.model_validate(values)
    except ValidationError as error:
        labels = {"request": "What to review and why", "enrollment_id": "Program"}
        raise InvalidInput(plain_summary(error, labels=labels)) from None
    quality_service.request_review(session, user, data)
    return redirect("/expert/decisions")


def _tax_page(
    request: Request,
    session: SessionDep,
    user: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    assert user.expert_id is not None
    current = payments_service.tax_profile_of(session, user, user.expert_id)
    shown: dict[str, str] = dict.fromkeys(TAX_FIELDS, "")
    if current is not None:
        for name in TAX_FIELDS:
            value = getattr(current, name, "")
            shown[name] = "" if value is None else str(value)
        shown["tax_id"] = ""  # never put back in the page; a change means typing it again
        shown["form"] = current.form.value
    else:
        shown["form"] = TaxForm.W9.value
    context = {
        "user": user,
        "current": current,
        "values": shown | (values or {}),
        "errors": errors or {},
        "saved": saved,
        "forms": list(payments_service.FORM_NAMES.items()),
        "classifications": [("", "Choose")]
        + [(c.value, payments_service.CLASSIFICATION_NAMES[c]) for c in TaxClassification],
        "tin_types": [(TinType.SSN.value, "SSN"), (TinType.EIN.value, "EIN")],
    }
    return render(request, "expert/tax_profile.html", context, status_code=status_code)


@router.get("/expert/earnings/tax-profile", response_class=HTMLResponse)
def tax_profile(
    request: Request, session: SessionDep, user: WebExpert, saved: str = ""
) -> Response:
    """Your W-9 or W-8BEN, with the form to enter or update it."""
    return _tax_page(request, session, user, saved=bool(saved))


@router.post("/expert/earnings/tax-profile", dependencies=[CsrfChecked])
def save_tax_profile(
    request: Request, session: SessionDep, user: WebExpert, form: Submitted
) -> Response:
    """Store the tax profile; a bad field is refused next to it."""
    values = {name: str(form.get(name, "")).strip() for name in TAX_FIELDS}
    try:
        data = TaxProfileUpdate.model_validate(values | {"certify": form.get("certify") == "yes"})
        payments_service.set_tax_profile(session, user, data)
    except ValidationError as error:
        return _tax_page(
            request,
            session,
            user,
            values=values,
            errors={"form": plain_summary(error, labels={})},
            status_code=400,
        )
    except InvalidTaxProfile as error:
        return _tax_page(
            request,
            session,
            user,
            values=values,
            errors={error.field: error.message},
            status_code=400,
        )
    return redirect("/expert/earnings/tax-profile?saved=1")
