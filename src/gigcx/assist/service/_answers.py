"""Approved answers: written by the brand, or proposed by experts from their best replies."""

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gigcx.ai import language
from gigcx.assist.enums import AnswerKind, AnswerStatus, BotUse
from gigcx.assist.errors import (
    AnswerAlreadyProposed,
    AnswerAlreadyReviewed,
    AnswerNotFound,
    BotAnswerInUse,
    BotSlotTaken,
    NothingToPropose,
    SameAnswerExists,
)
from gigcx.assist.models import Answer
from gigcx.assist.queries import readable_answers
from gigcx.assist.schemas import AnswerCreate, AnswerReview, BestAnswerProposal
from gigcx.audit import service as audit_service
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.brands.models import Program
from gigcx.errors import InvalidInput, PermissionDenied
from gigcx.kit import clock
from gigcx.kit import text as kit_text
from gigcx.privacy import scrub
from gigcx.tickets import service as tickets_service
from gigcx.tickets.enums import AuthorKind, TicketStatus
from gigcx.tickets.models import Customer, Ticket


def _check_intent(program: Program, intent: str | None) -> None:
    if intent is not None and program.category(intent) is None:
        keys = ", ".join(c.key for c in program.categories)
        raise InvalidInput(f"program {program.slug!r} has no category {intent!r}; it has: {keys}")


def _require_reviewer(principal: Principal) -> None:
    if not (principal.is_brand_staff or principal.is_platform_admin or principal.is_system):
        raise PermissionDenied("only the brand's staff write and review answers")


def served_languages(program: Program) -> list[str]:
    return [str(code).lower() for code in program.languages]


def answer_language(program: Program, given: str | None, text: str) -> str:
    """The program language an answer is written in: the one given, checked against the text,
    or the one its text reads as."""
    served = served_languages(program)
    listed = ", ".join(served)
    read = language.detect(text, sorted({*served, *language.COMMON}))
    if given:
        code = given.strip().lower()
        if code not in served:
            raise InvalidInput(
                f"program {program.slug!r} serves {listed}; give the answer's language as one "
                "of them"
            )
        if read not in {language.UNKNOWN, code}:
            raise InvalidInput(
                f"the answer is said to be in {code} but its text reads as {read}; correct "
                "the language or the text"
            )
        return code
    if read in served:
        return read
    if len(served) == 1 and read == language.UNKNOWN:
        return served[0]
    raise InvalidInput(
        f"say which language the answer is in (language: one of {listed}); its text is too "
        "short or unclear to tell" + ("" if read == language.UNKNOWN else f" (it reads as {read})")
    )


def bot_answer_for(
    session: Session, program_id: uuid.UUID, intent: str, language_code: str
) -> Answer | None:
    """The answer the bot sends for an intent in a language, if the program has one."""
    return session.scalar(
        select(Answer).where(
            Answer.program_id == program_id,
            Answer.intent == intent,
            Answer.language == language_code,
            Answer.kind == AnswerKind.ANSWER,
            Answer.status == AnswerStatus.APPROVED,
            Answer.is_bot_answer.is_(True),
        )
    )


def replaced_by(session: Session, answer: Answer) -> Answer | None:
    """The answer the bot sends today for this answer's intent and language, if another."""
    if answer.kind != AnswerKind.ANSWER or answer.intent is None:
        return None
    current = bot_answer_for(session, answer.program_id, answer.intent, answer.language)
    return None if current is None or current.id == answer.id else current


def _place_for_bot(session: Session, answer: Answer, bot_use: BotUse | None) -> Answer | None:
    """Make an approved answer the bot's answer for its slot, or a suggestion only; approving
    never silently replaces the answer the bot sends. Return the answer it replaced."""
    if answer.kind != AnswerKind.ANSWER or answer.intent is None:
        answer.is_bot_answer = False
        return None
    current = session.scalar(
        select(Answer)
        .where(
            Answer.program_id == answer.program_id,
            Answer.intent == answer.intent,
            Answer.language == answer.language,
            Answer.is_bot_answer.is_(True),
            Answer.id != answer.id,
        )
        .with_for_update()
    )
    if current is not None and bot_use is None:
        raise BotAnswerInUse(str(current.id), current.title, answer.intent, answer.language)
    try:
        with session.begin_nested():
            if current is not None and bot_use == BotUse.REPLACE:
                current.is_bot_answer = False
                # Free the slot first: the unique index checks each row as it is written.
                session.flush()
            answer.is_bot_answer = bot_use != BotUse.SUGGESTION and (
                current is None or bot_use == BotUse.REPLACE
            )
            session.flush()
    except IntegrityError as error:
        raise BotSlotTaken() from error
    return current if current is not None and bot_use == BotUse.REPLACE else None


def _record_bot_change(
    session: Session, principal: Principal, answer: Answer, replaced: Answer | None
) -> None:
    if replaced is None:
        return
    audit_service.record(
        session,
        actor=principal,
        action="assist.bot_answer_replaced",
        subject_type="answer",
        subject_id=answer.id,
        brand_id=answer.brand_id,
        data={"replaced": str(replaced.id), "intent": answer.intent, "language": answer.language},
    )


def create_answer(session: Session, principal: Principal, data: AnswerCreate) -> Answer:
    """Add a standard answer or knowledge article, approved at once (brand staff)."""
    _require_reviewer(principal)
    program = brands_service.get_program(session, principal, data.program_id)
    _check_intent(program, data.intent)
    title, body = data.title.strip(), data.body.strip()
    now = clock.now()
    answer = Answer(
        brand_id=program.brand_id,
        program_id=program.id,
        kind=data.kind,
        intent=data.intent,
        language=answer_language(program, data.language, f"{title}. {body}"),
        title=title,
        body=body,
        status=AnswerStatus.APPROVED,
        reviewed_at=now,
        created_at=now,
    )
    session.add(answer)
    session.flush()
    _record_bot_change(session, principal, answer, _place_for_bot(session, answer, data.bot_use))
    return answer


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def proposal_of(session: Session, principal: Principal, ticket_id: uuid.UUID) -> Answer | None:
    """The expert's own proposal from this ticket, if they made one."""
    if principal.expert_id is None:
        return None
    return session.scalar(
        select(Answer).where(
            Answer.source_ticket_id == ticket_id, Answer.author_expert_id == principal.expert_id
        )
    )


def same_answer(
    session: Session, program_id: uuid.UUID, intent: str | None, language_code: str, body: str
) -> Answer | None:
    """An answer of the program for this category and language with the same text (spacing
    and letter case aside), if there is one."""
    wanted = _normalised(body)
    candidates = session.scalars(
        select(Answer).where(
            Answer.program_id == program_id,
            Answer.intent.is_(None) if intent is None else Answer.intent == intent,
            Answer.language == language_code,
        )
    )
    return next((a for a in candidates if _normalised(a.body) == wanted), None)


def propose_best_answer(
    session: Session, principal: Principal, ticket_id: uuid.UUID, data: BestAnswerProposal
) -> Answer:
    """ "Save as best answer": propose an expert's reply on a resolved ticket for review, with
    the customer's name, order numbers and other personal data taken out."""
    if not principal.is_expert:
        raise PermissionDenied("experts propose their own replies as best answers")
    ticket = tickets_service.get_ticket(session, principal, ticket_id)
    if ticket.status not in {TicketStatus.RESOLVED, TicketStatus.CLOSED}:
        raise NothingToPropose("only a resolved ticket's reply can become a best answer")
    own_replies = [
        m
        for m in ticket.messages
        if m.author_kind == AuthorKind.EXPERT
        and m.author_id == principal.expert_id
        and not m.is_internal
    ]
    if not own_replies:
        raise NothingToPropose("you sent no reply on this ticket to propose")
    existing = proposal_of(session, principal, ticket.id)
    if existing is not None:
        raise AnswerAlreadyProposed(existing.status)
    customer = session.get_one(Customer, ticket.customer_id)
    names = [customer.name] if customer.name else []
    body = scrub.scrub((data.body or own_replies[-1].body).strip(), customer_names=names)
    title = scrub.scrub(data.title.strip() or ticket.subject[:200], customer_names=names)
    answer_language = _proposal_language(ticket, body.text)
    same = same_answer(session, ticket.program_id, ticket.category, answer_language, body.text)
    if same is not None:
        program = session.get_one(Program, ticket.program_id)
        raise SameAnswerExists(
            same.status, program.category_name(ticket.category), answer_language.upper()
        )
    answer = Answer(
        brand_id=ticket.brand_id,
        program_id=ticket.program_id,
        kind=AnswerKind.ANSWER,
        intent=ticket.category,
        language=answer_language,
        # The title column holds 200 characters: 199 and the ellipsis.
        title=kit_text.shorten(title.text or ticket.category, 199),
        body=body.text,
        status=AnswerStatus.PROPOSED,
        author_expert_id=principal.expert_id,
        source_ticket_id=ticket.id,
        removals=[r.as_dict() for r in [*title.removals, *body.removals]],
    )
    try:
        with session.begin_nested():
            session.add(answer)
            session.flush()
    except IntegrityError as error:
        # The same proposal sent twice at once: the first one stands.
        raise AnswerAlreadyProposed(AnswerStatus.PROPOSED) from error
    audit_service.record(
        session,
        actor=principal,
        action="assist.answer_proposed",
        subject_type="answer",
        subject_id=answer.id,
        brand_id=ticket.brand_id,
        data={"ticket_id": str(ticket.id), "removed": len(answer.removals)},
    )
    return answer


def _proposal_language(ticket: Ticket, text: str) -> str:
    served = served_languages(ticket.program)
    read = language.detect(text, served)
    return read if read in served else ticket.language.lower()


def shown_removals(principal: Principal, answer: Answer) -> list[dict[str, str]]:
    """What a viewer sees of the personal data taken out of a proposal: the brand's reviewers
    see the masked originals, experts (the author too) the kinds and placeholders only."""
    if principal.is_brand_staff or principal.is_platform_admin or principal.is_system:
        return [dict(removal) for removal in answer.removals]
    return [{"kind": r["kind"], "placeholder": r["placeholder"]} for r in answer.removals]


def get_answer(session: Session, principal: Principal, answer_id: uuid.UUID) -> Answer:
    answer = session.scalar(readable_answers(principal).where(Answer.id == answer_id))
    if answer is None:
        raise AnswerNotFound()
    return answer


def review_answer(
    session: Session, principal: Principal, answer_id: uuid.UUID, data: AnswerReview
) -> Answer:
    """Approve (optionally edited) or reject a proposed answer (brand reviewers). Approving
    for an intent and language the bot already answers needs ``bot_use``: replace or
    suggestion."""
    _require_reviewer(principal)
    answer = get_answer(session, principal, answer_id)
    if answer.status != AnswerStatus.PROPOSED:
        raise AnswerAlreadyReviewed(answer.status)
    if data.decision == AnswerStatus.PROPOSED:
        raise InvalidInput("decide approved or rejected")
    replaced = None
    if data.decision == AnswerStatus.APPROVED:
        program = session.get_one(Program, answer.program_id)
        if data.intent is not None:
            _check_intent(program, data.intent)
            answer.intent = data.intent
        answer.title = (data.title or answer.title).strip()
        answer.body = (data.body or answer.body).strip()
        answer.language = answer_language(
            program, data.language or answer.language, f"{answer.title}. {answer.body}"
        )
        answer.status = AnswerStatus.APPROVED
        replaced = _place_for_bot(session, answer, data.bot_use)
    answer.status = data.decision
    answer.reviewed_at = clock.now()
    answer.review_note = data.note
    audit_service.record(
        session,
        actor=principal,
        action=f"assist.answer_{data.decision.value}",
        subject_type="answer",
        subject_id=answer.id,
        brand_id=answer.brand_id,
        data={"bot_answer": answer.is_bot_answer},
    )
    _record_bot_change(session, principal, answer, replaced)
    session.flush()
    return answer


def list_answers(
    session: Session,
    principal: Principal,
    *,
    program_id: uuid.UUID | None = None,
    status: AnswerStatus | None = None,
) -> Sequence[Answer]:
    statement = readable_answers(principal)
    if program_id is not None:
        statement = statement.where(Answer.program_id == program_id)
    if status is not None:
        statement = statement.where(Answer.status == status)
    return session.scalars(statement.order_by(Answer.created_at.desc())).all()
