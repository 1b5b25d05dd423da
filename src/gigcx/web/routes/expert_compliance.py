"""The expert's agreements and eligibility: read and accept, attest, hours, and why no offers."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.experts import service as experts_service
from gigcx.experts.compliance import service as compliance_service
from gigcx.kit import clock
from gigcx.routing import gates, hours
from gigcx.web.deps import CsrfChecked, WebExpert, redirect, render

router = APIRouter(include_in_schema=False)


def offer_blocks(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """Every rule that stops the expert's offers, once each, with where to fix it."""
    assert principal.expert_id is not None
    seen: dict[str, str] = {}
    for item in gates.eligibility_of(session, principal.expert_id, clock.now()):
        for block in item.blocks:
            seen.setdefault(block.message, block.fix_url or "/expert/compliance")
    return list(seen.items())


def _page(
    request: Request,
    session: Session,
    user: Principal,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    expert = experts_service.current_expert(session, user)
    now = clock.now()
    brand_ids = compliance_service.expert_brand_ids(session, expert.id)
    brands = {b.id: b for b in (session.get_one(Brand, i) for i in brand_ids)}
    attestations = compliance_service.attestations_of(session, expert.id)
    needs_attestation = [
        (brand, attestations.get(brand.id))
        for brand in brands.values()
        if compliance_service.brand_compliance(session, brand.id).requires_work_authorisation
    ]
    total, caps = gates.week_hours(session, expert.id, now)
    context: dict[str, Any] = {
        "user": user,
        "expert": expert,
        "blocks": offer_blocks(session, user),
        "pending": compliance_service.pending_agreements(session, expert.id),
        "brands": brands,
        "needs_attestation": needs_attestation,
        "statement": compliance_service.attestation_statement,
        "identity": compliance_service.latest_checks(session, [expert.id]).get(expert.id),
        "hours": total,
        "caps": caps,
        "week_start": hours.week_start(now),
        "week_end": hours.week_end(now),
        "errors": errors or {},
    }
    return render(request, "expert/compliance.html", context, status_code=status_code)


@router.get("/expert/compliance", response_class=HTMLResponse)
def compliance_page(request: Request, session: SessionDep, user: WebExpert) -> Response:
    return _page(request, session, user)


@router.post("/expert/compliance/agreements/{agreement_id}/accept", dependencies=[CsrfChecked])
def accept_agreement(
    request: Request,
    session: SessionDep,
    user: WebExpert,
    agreement_id: uuid.UUID,
    full_name: Annotated[str, Form()] = "",
) -> Response:
    """Accept an agreement version by typing one's full name."""
    if len(" ".join(full_name.split())) < 2:
        errors = {str(agreement_id): "Type your full name to accept the agreement."}
        return _page(request, session, user, errors=errors, status_code=400)
    address = request.client.host if request.client else ""
    compliance_service.accept_agreement(
        session, user, agreement_id, full_name=full_name, client_address=address
    )
    return redirect("/expert/compliance")


@router.post("/expert/compliance/authorisations/{brand_id}", dependencies=[CsrfChecked])
def attest(request: Request, session: SessionDep, user: WebExpert, brand_id: uuid.UUID) -> Response:
    """Attest the work authorisation a brand asks for."""
    compliance_service.attest_work_authorisation(session, user, brand_id)
    return redirect("/expert/compliance")
