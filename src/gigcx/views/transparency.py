"""Every automated system that affects an expert, read from the code's own configuration.

The expert's transparency page renders this; nothing here is copied text about a number: the
weights, thresholds and windows come from the constants and program settings the systems use,
so the page cannot drift from what runs.
"""

import dataclasses
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gigcx.ai import triage
from gigcx.auth.principal import Principal
from gigcx.brands.models import DEFAULT_ROUTING_WEIGHTS, Program
from gigcx.config import get_settings
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.experts.queries import readable_enrollments
from gigcx.payments import service as payments_service
from gigcx.quality import formulas
from gigcx.quality import service as quality_service
from gigcx.quality.enums import ContestedSystem
from gigcx.routing import scoring

TERM_INPUTS = {
    "skill": "your skill level in the ticket's category, out of 5",
    "language": "your proficiency in the ticket's language, out of 5",
    "quality": (
        f"your published quality score in the program, out of 100 ({scoring.QUALITY_PRIOR:g} "
        "until you have one)"
    ),
    "idle": (
        f"minutes since your last ticket or since you came online, counted up to "
        f"{scoring.IDLE_FULL_MINUTES:g}"
    ),
    "load": "the free share of your capacity on the ticket's channel",
}


@dataclass(frozen=True, slots=True)
class ProgramWeights:
    program_id: uuid.UUID
    program_name: str
    weights: dict[str, float]  # term -> weight, in the order of scoring.TERMS

    @property
    def total(self) -> float:
        return sum(self.weights.values())

    def share(self, term: str) -> float:
        """The term's share of the score, 0..1."""
        return self.weights[term] / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class AutomatedSystem:
    key: str
    name: str
    does: str
    inputs: list[str]
    behaviour: str
    rules: list[str]
    contest: ContestedSystem
    # Can it restrict your work by itself? (Never: restrictions take a person.)
    restricts: str


def program_weights(session: Session, principal: Principal) -> list[ProgramWeights]:
    """The routing weights of each program the expert is enrolled in, as routing reads them."""
    rows = session.execute(
        readable_enrollments(principal)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.status != EnrollmentStatus.REMOVED)
        .with_only_columns(Program.id, Program.name, Program.routing_weights)
        .order_by(Program.name, Program.id)
    ).all()
    return [
        ProgramWeights(
            program_id,
            name,
            {t: float((weights or DEFAULT_ROUTING_WEIGHTS).get(t, 0.0)) for t in scoring.TERMS},
        )
        for program_id, name, weights in rows
    ]


def default_weights() -> dict[str, float]:
    return {t: float(DEFAULT_ROUTING_WEIGHTS.get(t, 0.0)) for t in scoring.TERMS}


def _triage() -> AutomatedSystem:
    levels = {triage.URGENT: "urgent", triage.HIGH: "high", triage.NORMAL: "normal"}
    levels[triage.LOW] = "low"
    fields = [f.name for f in dataclasses.fields(triage.TriageResult) if f.name != "notes"]
    return AutomatedSystem(
        key="triage",
        name="AI triage of tickets",
        does=(
            "Reads each customer message and derives "
            + ", ".join(fields).replace("_", " ")
            + "; routine questions may be answered by the bot before any expert sees them."
        ),
        inputs=["the customer's message text", "the customer's open and recent tickets"],
        behaviour=(
            "It looks at customers' messages, not at you: nothing you do changes it. It decides "
            "which tickets reach experts, their priority ("
            + ", ".join(f"{n} {v}" for n, v in sorted(levels.items()))
            + ") and complexity, which set the rate you are paid."
        ),
        rules=[f"an intent counts as recognised at a confidence of {triage.RECOGNISE_AT} or more"],
        contest=ContestedSystem.TRIAGE,
        restricts="No. It never restricts your work.",
    )


def _routing() -> AutomatedSystem:
    return AutomatedSystem(
        key="routing",
        name="Offer ranking (routing score)",
        does=(
            "Ranks the eligible experts for each ticket; the best score gets the offer. "
            + scoring.FORMULA
            + "."
        ),
        inputs=[f"{term}: {TERM_INPUTS[term]}" for term in scoring.TERMS],
        behaviour=(
            "Higher skill and language levels in your profile, a higher quality score, time "
            "since your last ticket and free capacity raise your score. Each offer stores its "
            "full breakdown."
        ),
        rules=[],
        contest=ContestedSystem.ROUTING,
        restricts="No. It orders offers; it never pauses or removes anyone.",
    )


def _quality() -> AutomatedSystem:
    return AutomatedSystem(
        key="quality_score",
        name="Quality score",
        does=f"Combines your ratings and QA reviews into one score: {formulas.FORMULA}.",
        inputs=[
            f"customer ratings the expert controls: (score - 1) \N{MULTIPLICATION SIGN} 25 "
            f"points, weight {formulas.CSAT_WEIGHT}",
            f"completed QA reviews: their 0..100 score, weight {formulas.QA_WEIGHT}",
            f"a prior of {formulas.PRIOR} with weight {formulas.PRIOR_WEIGHT}",
        ],
        behaviour=(
            f"Only the last {formulas.WINDOW_DAYS} days count. Ratings about shipping, policy "
            "or the product never count against you. You can appeal a rating or review once."
        ),
        rules=[],
        contest=ContestedSystem.QUALITY_SCORE,
        restricts="No. It feeds the routing score and the tiers.",
    )


def _tiers() -> AutomatedSystem:
    rules = ["new: " + formulas.NEW_TIER_TEXT]
    rules += [f"{rule.tier}: {rule.describe()}" for rule in formulas.TIER_RULES.values()]
    rules.append(
        f"below {formulas.REMOVAL_SCORE} with {formulas.REMOVAL_MIN_INPUTS} or more inputs: a "
        f"removal warning with {formulas.WARNING_DAYS} days to improve"
    )
    return AutomatedSystem(
        key="tier",
        name="Tiers and warnings (weekly review)",
        does=(
            "Every Monday reviews each active enrollment: promotes, warns, moves down a tier "
            "after a warning's date passes, or proposes removal to a person."
        ),
        inputs=["your quality score and how many ratings and QA reviews it rests on"],
        behaviour=(
            f"A warning always comes first and gives {formulas.WARNING_DAYS} days with what to "
            "improve; reaching the target in time lifts it."
        ),
        rules=rules,
        contest=ContestedSystem.TIER,
        restricts=(
            "Never by itself: after an unmet removal warning it only proposes removal, and a "
            "named person at the brand decides with a written reason you are shown."
        ),
    )


def _surge() -> AutomatedSystem:
    return AutomatedSystem(
        key="surge",
        name="Surge pay",
        does="Raises pay for a program and language when demand outruns the experts online.",
        inputs=["tickets waiting", "free seats of eligible experts online"],
        behaviour="It is announced before it applies and never lowers pay.",
        rules=[payments_service.SURGE_RULE],
        contest=ContestedSystem.SURGE,
        restricts="No.",
    )


def _away() -> AutomatedSystem:
    limit = get_settings().lapses_before_away
    rule = (
        f"after {limit} offers in a row lapse unanswered you are set away"
        if limit > 0
        else "switched off on this platform"
    )
    return AutomatedSystem(
        key="away",
        name="Set away after lapsed offers",
        does="Stops offers waiting on someone who is not answering.",
        inputs=["offers you let lapse in a row"],
        behaviour="Answering an offer or setting your presence starts the count again.",
        rules=[rule],
        contest=ContestedSystem.AWAY,
        restricts="No: you set yourself available again at any time.",
    )


def automated_systems() -> list[AutomatedSystem]:
    """Every automated system that affects an expert, from its live configuration."""
    return [_triage(), _routing(), _quality(), _tiers(), _surge(), _away()]


def review_due_days() -> int:
    return quality_service.review_due().days


def enrolled_programs(session: Session, principal: Principal) -> list[tuple[uuid.UUID, str]]:
    """(enrollment id, program name) for the forms that ask for a review."""
    rows = session.execute(
        readable_enrollments(principal)
        .join(Program, Program.id == Enrollment.program_id)
        .with_only_columns(Enrollment.id, Program.name)
        .order_by(Program.name)
    ).all()
    return [(enrollment_id, name) for enrollment_id, name in rows]
