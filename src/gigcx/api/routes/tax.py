"""Tax: an expert's W-9 or W-8BEN (the tax id shown by its last four only), the payer's report."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from gigcx.api.deps import BrandManager, CurrentPrincipal, ExpertPrincipal, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.payments import service as payments_service
from gigcx.payments.errors import TaxProfileMissing
from gigcx.payments.schemas import (
    TaxProfileRead,
    TaxProfileUpdate,
    TaxReportLineRead,
    TaxReportRead,
)

router = APIRouter(tags=["tax"], responses=ERROR_RESPONSES)


def tax_profile_read(view: payments_service.TaxProfileView) -> TaxProfileRead:
    fields = {name: getattr(view, name) for name in TaxProfileRead.model_fields}
    return TaxProfileRead.model_validate(fields)


@router.get("/experts/me/tax-profile")
def get_my_tax_profile(session: SessionDep, principal: ExpertPrincipal) -> TaxProfileRead:
    """Your W-9 or W-8BEN (the tax id by its last four characters); 404 until you enter one."""
    assert principal.expert_id is not None
    view = payments_service.tax_profile_of(session, principal, principal.expert_id)
    if view is None:
        raise TaxProfileMissing()
    return tax_profile_read(view)


@router.put("/experts/me/tax-profile")
def put_my_tax_profile(
    session: SessionDep, principal: ExpertPrincipal, body: TaxProfileUpdate
) -> TaxProfileRead:
    """Enter or replace your W-9 (US persons) or W-8BEN (non-US individuals), signed now."""
    return tax_profile_read(payments_service.set_tax_profile(session, principal, body))


@router.get("/experts/{expert_id}/tax-profile")
def get_tax_profile(
    session: SessionDep, principal: CurrentPrincipal, expert_id: uuid.UUID
) -> TaxProfileRead:
    """An expert's tax profile for a brand they work for; the tax id by its last four only."""
    view = payments_service.tax_profile_of(session, principal, expert_id)
    if view is None:
        raise TaxProfileMissing()
    return tax_profile_read(view)


@router.get("/tax/report")
def tax_report(
    session: SessionDep,
    principal: BrandManager,
    year: Annotated[int, Query(ge=2000, le=2099, examples=[2026])],
) -> TaxReportRead:
    """The brand's yearly report: experts it paid at least the year's threshold in USD.

    Each line says whether the expert's tax profile is missing and whether a 1099-NEC is due
    (US persons). Payouts in other currencies are totalled apart, never converted.
    """
    report = payments_service.tax_report(session, principal, year=year)
    return report_read(report)


def report_read(report: payments_service.TaxReport) -> TaxReportRead:
    return TaxReportRead(
        year=report.year,
        currency=report.currency,
        threshold=report.threshold.amount,
        threshold_source=report.threshold.source,
        lines=[
            TaxReportLineRead(
                expert_id=line.expert_id,
                expert_name=line.expert_name,
                payer_slug=line.payer_slug,
                payer_name=line.payer_name,
                currency=line.currency,
                total=line.total,
                payouts=line.payouts,
                form=line.form,
                legal_name=line.legal_name,
                tin_masked=line.tin_masked,
                is_missing_profile=line.is_missing_profile,
                needs_1099=line.needs_1099,
            )
            for line in report.lines
        ],
        missing_profiles=report.missing_profiles,
        other_currencies=report.other_currencies,
    )
