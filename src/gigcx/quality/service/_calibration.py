"""Calibration: one ticket scored by several reviewers, and how far they agree."""

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.errors import PermissionDenied
from gigcx.quality import formulas
from gigcx.quality.enums import ReviewReason, ReviewStatus
from gigcx.quality.errors import CalibrationNotFound, ScorecardNotFound, TicketNotReviewable
from gigcx.quality.models import Calibration, Review, Scorecard, ScorecardCriterion
from gigcx.quality.queries import readable_calibrations
from gigcx.quality.schemas import CalibrationCreate
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import TicketStatus

REVIEWABLE = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


def start_calibration(
    session: Session, principal: Principal, data: CalibrationCreate
) -> Calibration:
    """Open one review task per reviewer for the same resolved ticket."""
    if not (principal.is_brand_staff or principal.is_platform_admin):
        raise PermissionDenied("brand staff start calibrations")
    ticket = tickets_service.get_ticket(session, principal, data.ticket_id)
    if ticket.status not in REVIEWABLE or ticket.last_expert_id is None:
        raise TicketNotReviewable("calibrate on a ticket an expert resolved")
    scorecard = session.scalar(select(Scorecard).where(Scorecard.program_id == ticket.program_id))
    if scorecard is None:
        raise ScorecardNotFound()
    calibration = Calibration(
        brand_id=ticket.brand_id,
        program_id=ticket.program_id,
        ticket_id=ticket.id,
        created_by_user_id=principal.user_id,
        note=data.note,
    )
    session.add(calibration)
    session.flush()
    session.add_all(
        Review(
            brand_id=ticket.brand_id,
            program_id=ticket.program_id,
            ticket_id=ticket.id,
            expert_id=ticket.last_expert_id,
            scorecard_id=scorecard.id,
            reason=ReviewReason.CALIBRATION,
            calibration_id=calibration.id,
        )
        for _ in range(data.reviewers)
    )
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="calibration.started",
        subject_type="calibration",
        subject_id=calibration.id,
        brand_id=ticket.brand_id,
        data={"ticket_id": str(ticket.id), "reviewers": data.reviewers},
    )
    return calibration


@dataclass(frozen=True, slots=True)
class CriterionAgreement:
    key: str
    label: str
    met: int
    missed: int

    @property
    def agreement(self) -> Decimal:
        """Share of reviewers who gave the majority answer, 0..100."""
        total = self.met + self.missed
        if total == 0:
            return Decimal("0.00")
        majority = max(self.met, self.missed)
        return (Decimal(majority * 100) / Decimal(total)).quantize(formulas.CENT, ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    calibration: Calibration
    reviews: list[Review]
    criteria: list[CriterionAgreement]

    @property
    def completed(self) -> list[Review]:
        return [r for r in self.reviews if r.status == ReviewStatus.COMPLETED]

    @property
    def scores(self) -> list[Decimal]:
        return [r.score for r in self.completed if r.score is not None]

    @property
    def agreement(self) -> Decimal | None:
        """Mean agreement over the criteria, 0..100; None until two reviewers finished."""
        if len(self.completed) < 2 or not self.criteria:
            return None
        total = sum((c.agreement for c in self.criteria), Decimal(0))
        return (total / len(self.criteria)).quantize(formulas.CENT, ROUND_HALF_UP)

    @property
    def mean_score(self) -> Decimal | None:
        if not self.scores:
            return None
        return (sum(self.scores, Decimal(0)) / len(self.scores)).quantize(
            formulas.CENT, ROUND_HALF_UP
        )

    @property
    def spread(self) -> Decimal | None:
        """Highest minus lowest score."""
        return max(self.scores) - min(self.scores) if self.scores else None


def calibration_report(
    session: Session, principal: Principal, calibration_id: uuid.UUID
) -> CalibrationReport:
    """How far the reviewers of a calibration agree, per criterion and overall."""
    calibration = session.scalar(
        readable_calibrations(principal).where(Calibration.id == calibration_id)
    )
    if calibration is None:
        raise CalibrationNotFound()
    reviews = list(
        session.scalars(
            select(Review)
            .where(Review.calibration_id == calibration.id)
            .order_by(Review.completed_at, Review.id)
        )
    )
    scorecard_id = reviews[0].scorecard_id if reviews else None
    criteria: list[ScorecardCriterion] = (
        list(session.get_one(Scorecard, scorecard_id).criteria) if scorecard_id else []
    )
    done = [r for r in reviews if r.status == ReviewStatus.COMPLETED]
    return CalibrationReport(
        calibration,
        reviews,
        [
            CriterionAgreement(
                c.key,
                c.label,
                met=sum(1 for r in done if r.answers.get(c.key) is True),
                missed=sum(1 for r in done if r.answers.get(c.key) is False),
            )
            for c in criteria
        ],
    )


def list_calibrations(session: Session, principal: Principal) -> list[Calibration]:
    return list(
        session.scalars(
            readable_calibrations(principal).order_by(Calibration.created_at.desc()).limit(100)
        )
    )
