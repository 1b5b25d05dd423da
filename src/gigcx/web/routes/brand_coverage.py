"""Coverage across time zones: the heatmap of experts needed against expected online, the
worst gaps, and one-click actions on a gap."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gigcx.api.deps import SessionDep
from gigcx.auth.principal import Principal
from gigcx.brands import service as brands_service
from gigcx.channels.community import service as community_service
from gigcx.errors import Conflict, InvalidInput
from gigcx.kit.languages import language_name
from gigcx.payments.service import SURGE_RULE
from gigcx.planning import coverage
from gigcx.planning import service as planning_service
from gigcx.planning.enums import CoverageActionKind
from gigcx.planning.models import CoverageAction
from gigcx.web.access import Area, require
from gigcx.web.deps import CsrfChecked, Submitted, WebStaff, redirect, render
from gigcx.web.routes.brand_common import form_text, optional_uuid, page_context, programs_of

router = APIRouter(include_in_schema=False)

PAGE = "/brand/planning/coverage"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def action_message(action: CoverageAction, *, is_new: bool) -> str:
    """What the page says after an action, rebuilt from the stored action."""
    when = f"{action.starts_at:%a %d %b %H:00} UTC" if action.starts_at else ""
    language = language_name(action.language)
    if action.kind == CoverageActionKind.SURGE:
        lead = "Surge announced" if is_new else "Already announced, nothing new"
        return f"{lead}: {action.note}."
    if action.kind == CoverageActionKind.INVITE:
        people = f"{action.expert_count} expert{'' if action.expert_count == 1 else 's'}"
        if is_new:
            return f"Invited {people} writing {language} for {when}."
        return f"Already invited ({people}, {when}); nobody was invited twice."
    lead = "Recruitment note posted" if is_new else "Already recruiting, nothing new"
    return f"{lead}: {action.note}"


def _done_notice(session: Session, user: Principal, done: str, is_new: int) -> str | None:
    action_id = optional_uuid(done, label="action")
    if action_id is None:
        return None
    action = session.get(CoverageAction, action_id)
    if action is None or (not user.is_platform_admin and action.brand_id != user.brand_id):
        return None
    return action_message(action, is_new=bool(is_new))


def _context(
    session: Session, user: Principal, program_id: uuid.UUID | None, **extra: Any
) -> dict[str, Any]:
    return page_context(
        user,
        programs=programs_of(session, user),
        program_id=program_id,
        coverages=planning_service.brand_coverage(session, user, program_id=program_id),
        actions=planning_service.recent_actions(session, user),
        days=DAYS,
        hours=[f"{h:02d}" for h in range(24)],
        surge_rule=SURGE_RULE,
        language_name=language_name,
        defaults=coverage,
        **extra,
    )


@router.get(PAGE, response_class=HTMLResponse)
def coverage_page(
    request: Request,
    session: SessionDep,
    user: WebStaff,
    program_id: str = "",
    done: str = "",
    is_new: int = 0,
) -> Response:
    chosen = optional_uuid(program_id, label="program")
    if chosen is not None:
        brands_service.get_program(session, user, chosen)
    notice = _done_notice(session, user, done, is_new)
    return render(request, "brand/coverage.html", _context(session, user, chosen, notice=notice))


def _act(
    request: Request,
    session: Session,
    user: Principal,
    program_id: uuid.UUID,
    form: Any,
    kind: CoverageActionKind,
) -> Response:
    require(user, Area.MANAGE)
    brands_service.get_program(session, user, program_id)  # another brand's: 404 first
    language = form_text(form, "language")
    try:
        hour = int(form_text(form, "hour"))
    except ValueError:
        raise InvalidInput("pick an hour of the week from the coverage table") from None
    actions = {
        CoverageActionKind.SURGE: planning_service.announce_surge_for_gap,
        CoverageActionKind.INVITE: planning_service.invite_for_gap,
        CoverageActionKind.RECRUIT: planning_service.recruit_for_gap,
    }
    try:
        result = actions[kind](session, user, program_id, language=language, hour=hour)
    except Conflict as error:
        context = _context(session, user, program_id, action_error=error.detail)
        return render(request, "brand/coverage.html", context, status_code=409)
    if result.is_new and kind == CoverageActionKind.INVITE:
        community_service.mail_coverage_invitation(session, result.action.id)
    new = 1 if result.is_new else 0
    return redirect(f"{PAGE}?program_id={program_id}&done={result.action.id}&is_new={new}")


@router.post(f"{PAGE}/{{program_id}}/surge", dependencies=[CsrfChecked])
def announce_surge(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, form: Submitted
) -> Response:
    return _act(request, session, user, program_id, form, CoverageActionKind.SURGE)


@router.post(f"{PAGE}/{{program_id}}/invite", dependencies=[CsrfChecked])
def invite(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, form: Submitted
) -> Response:
    return _act(request, session, user, program_id, form, CoverageActionKind.INVITE)


@router.post(f"{PAGE}/{{program_id}}/recruit", dependencies=[CsrfChecked])
def recruit(
    request: Request, session: SessionDep, user: WebStaff, program_id: uuid.UUID, form: Submitted
) -> Response:
    return _act(request, session, user, program_id, form, CoverageActionKind.RECRUIT)
