"""Demo training and quality: a scorecard, a short course and a few reviews per program."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.demo.world import World
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.quality import service as quality_service
from gigcx.quality.enums import ReviewReason, ReviewStatus
from gigcx.quality.models import Review
from gigcx.quality.schemas import CriterionIn, ReviewSubmit, ScorecardPut
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Ticket
from gigcx.training import service as training_service
from gigcx.training.schemas import CourseCreate, ModuleIn, QuestionIn

CRITERIA = [
    CriterionIn(key="greeting", label="Greets the customer by name", weight=1),
    CriterionIn(key="accuracy", label="The answer is right and complete", weight=3),
    CriterionIn(key="tone", label="Warm, clear tone", weight=1),
    CriterionIn(key="no-pii", label="No personal data leaked", weight=0, is_auto_fail=True),
]
REVIEWS_PER_PROGRAM = 3


def seed_scorecards(session: Session, world: World) -> None:
    """Give every program a QA scorecard before the history, so resolved tickets are sampled."""
    for program in world.programs:
        quality_service.put_scorecard(
            session,
            program.brand.admin,
            program.id,
            ScorecardPut(name=f"{program.spec.name} QA", criteria=CRITERIA),
        )


def _course(name: str) -> CourseCreate:
    return CourseCreate(
        title=f"Welcome to {name}",
        description="How we answer customers; pass the quiz to start taking tickets.",
        pass_mark=80,
        valid_days=180,
        modules=[
            ModuleIn(
                title="Our voice",
                body="Greet the customer by name, answer the question asked, close warmly.",
            ),
            ModuleIn(
                title="Privacy",
                body="Never repeat card numbers or passwords; ask for an order number instead.",
            ),
        ],
        questions=[
            QuestionIn(
                prompt="A customer pastes their card number. What do you do?",
                kind="single",
                options=["Repeat it back to confirm", "Never repeat it; ask for the order number"],
                correct=[1],
            ),
            QuestionIn(
                prompt="Which belong in every reply?",
                kind="multiple",
                options=["The customer's name", "An answer to their question", "A discount code"],
                correct=[0, 1],
            ),
        ],
    )


def seed_training(session: Session, world: World) -> None:
    """Publish one course per program; the experts already working in it are granted it."""
    for program in world.programs:
        course = training_service.create_course(
            session, program.brand.admin, program.id, _course(program.spec.name)
        )
        training_service.publish_course(session, program.brand.admin, course.id)
        enrolled = session.scalars(
            select(Enrollment.expert_id).where(
                Enrollment.program_id == program.id,
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
        ).all()
        for expert_id in enrolled:
            training_service.grant_certification(
                session,
                program.brand.admin,
                course.id,
                expert_id=expert_id,
                reason="worked in the program before the course existed",
            )


def seed_reviews(session: Session, world: World) -> None:
    """Have each brand's admin review a few sampled tickets, with one missed criterion."""
    for program in world.programs:
        open_reviews = session.scalars(
            select(Review)
            .where(Review.program_id == program.id, Review.status == ReviewStatus.OPEN)
            .order_by(Review.created_at, Review.id)
            .limit(REVIEWS_PER_PROGRAM)
        ).all()
        if not open_reviews:
            tickets = session.scalars(
                select(Ticket)
                .where(
                    Ticket.program_id == program.id,
                    Ticket.status.in_([TicketStatus.RESOLVED, TicketStatus.CLOSED]),
                    Ticket.last_expert_id.is_not(None),
                )
                .order_by(Ticket.created_at, Ticket.id)
                .limit(REVIEWS_PER_PROGRAM)
            ).all()
            opened = [
                quality_service.open_review(session, t, t.last_expert_id, ReviewReason.REQUESTED)
                for t in tickets
                if t.last_expert_id is not None
            ]
            open_reviews = [r for r in opened if r is not None]
        for n, review in enumerate(open_reviews):
            answers = {c.key: True for c in CRITERIA}
            if n % 2:
                answers["greeting"] = False
            quality_service.complete_review(
                session,
                program.brand.admin,
                review.id,
                ReviewSubmit(answers=answers, comment="Thanks, clear and friendly."),
            )
