"""Published weekly bonus rules and their evaluation."""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import PermissionDenied
from gigcx.kit.money import quantize
from gigcx.payments.enums import EarningKind
from gigcx.payments.errors import BonusRuleNotFound
from gigcx.payments.models import BonusRule, Earning
from gigcx.payments.schemas import BonusRuleCreate
from gigcx.payments.service._ledger import append
from gigcx.payments.service._payouts import Week, parse_week
from gigcx.quality import service as quality_service
from gigcx.quality.enums import UNCONTROLLABLE_REASONS
from gigcx.quality.models import Rating


def _require_manager(principal: Principal, program: Program) -> None:
    if principal.is_platform_admin or principal.is_system:
        return
    if not (principal.can_manage_brand and principal.brand_id == program.brand_id):
        raise PermissionDenied("only the brand's admins can publish bonus rules")


def create_bonus_rule(
    session: Session, principal: Principal, program_id: uuid.UUID, data: BonusRuleCreate
) -> BonusRule:
    """Publish a weekly bonus rule for a program; it counts for weeks ending after today."""
    program = brands_service.get_program(session, principal, program_id)
    _require_manager(principal, program)
    rule = BonusRule(
        brand_id=program.brand_id,
        program_id=program.id,
        name=data.name,
        min_tasks=data.min_tasks,
        min_csat=data.min_csat,
        min_qa=data.min_qa,
        amount=data.amount,
        is_active=True,
    )
    session.add(rule)
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="bonus_rule.published",
        subject_type="program",
        subject_id=program.id,
        brand_id=program.brand_id,
        data={"rule_id": str(rule.id), "name": rule.name, "amount": str(rule.amount)},
    )
    return rule


def retire_bonus_rule(session: Session, principal: Principal, rule_id: uuid.UUID) -> BonusRule:
    """Stop a bonus rule for weeks that have not ended; bonuses already earned stay."""
    rule = session.get(BonusRule, rule_id)
    if rule is None or not principal.can_see_brand(rule.brand_id):
        raise BonusRuleNotFound()
    _require_manager(principal, session.get_one(Program, rule.program_id))
    rule.is_active = False
    session.flush()
    audit_service.record(
        session,
        actor=principal,
        action="bonus_rule.retired",
        subject_type="program",
        subject_id=rule.program_id,
        brand_id=rule.brand_id,
        data={"rule_id": str(rule.id)},
    )
    return rule


def list_bonus_rules(
    session: Session, program_ids: Sequence[uuid.UUID], *, active_only: bool = True
) -> Sequence[BonusRule]:
    """Bonus rules of the given programs (bonus rules are published to every expert)."""
    statement = select(BonusRule).where(BonusRule.program_id.in_(program_ids))
    if active_only:
        statement = statement.where(BonusRule.is_active.is_(True))
    return session.scalars(statement.order_by(BonusRule.created_at)).all()


def describe_rule(rule: BonusRule, currency: str) -> str:
    """The rule in words, as experts read it."""
    parts = [f"{rule.min_tasks}+ paid tasks"]
    if rule.min_csat is not None:
        parts.append(f"average CSAT {rule.min_csat}+")
    if rule.min_qa is not None:
        parts.append(f"average QA score {rule.min_qa}+")
    return f"{' and '.join(parts)} in a week pays {rule.amount} {currency}"


def _task_counts(session: Session, program_id: uuid.UUID, week: Week) -> dict[uuid.UUID, int]:
    """Paid tasks per expert in the week, not counting tasks reversed since."""
    reversal = aliased(Earning)
    rows = session.execute(
        select(Earning.expert_id, func.count())
        .outerjoin(reversal, reversal.reverses_id == Earning.id)
        .where(
            Earning.program_id == program_id,
            Earning.kind == EarningKind.TASK,
            Earning.created_at >= week.start,
            Earning.created_at < week.end,
            reversal.id.is_(None),
        )
        .group_by(Earning.expert_id)
    ).all()
    return dict(rows)


def _csat(
    session: Session, program_id: uuid.UUID, expert_id: uuid.UUID, week: Week
) -> Decimal | None:
    average = session.scalar(
        select(func.avg(Rating.score)).where(
            Rating.program_id == program_id,
            Rating.expert_id == expert_id,
            Rating.created_at >= week.start,
            Rating.created_at < week.end,
            Rating.reason.not_in(UNCONTROLLABLE_REASONS),
        )
    )
    return None if average is None else Decimal(str(average)).quantize(Decimal("0.01"))


def evaluate_bonuses(
    session: Session, *, week: str, brand_id: uuid.UUID | None = None
) -> list[Earning]:
    """Pay every bonus a finished week earned under the rules published before it ended.

    A CSAT or QA condition is met only when there is an average to compare: an expert without
    ratings or reviews that week does not meet it. Each bonus is paid once per rule, expert
    and week.
    """
    period = parse_week(week)
    chosen = select(BonusRule).where(
        BonusRule.is_active.is_(True), BonusRule.created_at < period.end
    )
    if brand_id is not None:
        chosen = chosen.where(BonusRule.brand_id == brand_id)
    rules = session.scalars(chosen.order_by(BonusRule.created_at, BonusRule.id)).all()
    paid: list[Earning] = []
    for rule in rules:
        program = session.get_one(Program, rule.program_id)
        for expert_id, tasks in sorted(_task_counts(session, program.id, period).items()):
            if tasks < rule.min_tasks:
                continue
            csat = _csat(session, program.id, expert_id, period)
            qa = quality_service.qa_average(
                session,
                expert_id=expert_id,
                program_id=program.id,
                start=period.start,
                end=period.end,
            )
            if rule.min_csat is not None and (csat is None or csat < rule.min_csat):
                continue
            if rule.min_qa is not None and (qa is None or qa < rule.min_qa):
                continue
            earning, _ = append(
                session,
                Earning(
                    expert_id=expert_id,
                    brand_id=program.brand_id,
                    program_id=program.id,
                    kind=EarningKind.BONUS,
                    amount=quantize(rule.amount),
                    currency=program.currency,
                    description=f"Bonus {rule.name} ({period.label})",
                    source_key=f"bonus:{rule.id}:{expert_id}:{period.label}",
                    terms={
                        "rule": describe_rule(rule, program.currency),
                        "week": period.label,
                        "tasks": tasks,
                        "csat": None if csat is None else str(csat),
                        "qa": None if qa is None else str(qa),
                    },
                ),
            )
            paid.append(earning)
    return paid
