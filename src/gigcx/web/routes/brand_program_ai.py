"""A program's AI rules in the brand console: the bot, royalties, PII grants, reply checks."""

import uuid
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gigcx.ai import sentiment
from gigcx.api.deps import SessionDep
from gigcx.assist import service as assist_service
from gigcx.assist.enums import Check
from gigcx.assist.schemas import AssistSettingsUpdate
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.privacy.pii import PiiKind
from gigcx.web.deps import CsrfChecked, WebStaff, redirect, render
from gigcx.web.forms import field_errors
from gigcx.web.routes.brand_common import page_context, require_manager

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    session: Session,
    user: Principal,
    program_id: uuid.UUID,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    program = brands_service.get_program(session, user, program_id)
    context = page_context(
        user,
        program=program,
        settings=assist_service.settings_for(session, program.id),
        model=assist_service.latest_record(session, program.id),
        checks=[c.value for c in Check],
        pii_kinds=[k.value for k in PiiKind],
        no_sentiment=[c for c in program.languages if not sentiment.is_available(str(c))],
        sentiment_languages=sorted(sentiment.LANGUAGES),
        errors=errors or {},
    )
    return render(request, "brand/program_ai.html", context, status_code=status_code)


@router.get("/brand/programs/{program_id}/ai", response_class=HTMLResponse)
def program_ai(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID
) -> Response:
    """The program's AI rules and its intent model."""
    return _page(request, session, user, program_id)


@router.post("/brand/programs/{program_id}/ai", dependencies=[CsrfChecked])
def update_program_ai(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    program_id: uuid.UUID,
    is_bot_enabled: Annotated[bool, Form()] = False,
    bot_threshold: Annotated[str, Form()] = "",
    topic_override_confidence: Annotated[str, Form()] = "",
    royalty_amount: Annotated[str, Form()] = "",
    forbidden_phrases: Annotated[str, Form()] = "",
    blocking_checks: Annotated[list[str] | None, Form()] = None,
    granted_pii: Annotated[list[str] | None, Form()] = None,
) -> Response:
    require_manager(user)
    errors: dict[str, str] = {}
    try:
        threshold = float(bot_threshold)
    except ValueError:
        threshold = -1.0
    if not 0 <= threshold <= 1:
        errors["bot_threshold"] = "Give a confidence between 0 and 1, such as 0.8."
    override_at: float | None = None
    if topic_override_confidence.strip():
        try:
            override_at = float(topic_override_confidence)
        except ValueError:
            override_at = -1.0
        if not 0 <= override_at <= 1:
            errors["topic_override_confidence"] = "Give a confidence between 0 and 1, such as 0.9."
    try:
        royalty = Decimal(royalty_amount) if royalty_amount.strip() else None
    except InvalidOperation:
        royalty = None
        errors["royalty_amount"] = "Give an amount such as 0.25, or leave it empty for none."
    if errors:
        return _page(request, session, user, program_id, errors=errors, status_code=400)
    try:
        data = AssistSettingsUpdate(
            is_bot_enabled=is_bot_enabled,
            bot_threshold=threshold,
            royalty_amount=royalty,
            forbidden_phrases=[p for p in forbidden_phrases.splitlines() if p.strip()],
            blocking_checks=[Check(c) for c in blocking_checks or []],
            granted_pii=granted_pii or [],
        )
        if override_at is not None:
            data = data.model_copy(update={"topic_override_confidence": override_at})
    except (ValueError, ValidationError) as error:
        found = field_errors(error) if isinstance(error, ValidationError) else {}
        return _page(
            request,
            session,
            user,
            program_id,
            errors=found or {"form": "Choose the blocking checks from the list."},
            status_code=400,
        )
    assist_service.update_settings(session, user, program_id, data)
    return redirect(f"/brand/programs/{program_id}/ai?saved=1")
