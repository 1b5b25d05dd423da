"""Where and when work is expected in the expert's programs, in their local time."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gigcx.api.deps import SessionDep
from gigcx.planning import service as planning_service
from gigcx.web.deps import WebExpert, render

router = APIRouter(include_in_schema=False)


@router.get("/expert/forecast", response_class=HTMLResponse)
def forecast(request: Request, session: SessionDep, user: WebExpert) -> Response:
    context = {"user": user, "forecast": planning_service.expert_forecast(session, user)}
    return render(request, "expert/forecast.html", context)
