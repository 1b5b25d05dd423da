"""Payout statements for download, for the expert paid and the brand paying."""

import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from gigcx.api.deps import SessionDep
from gigcx.api.routes.pay import statement_download
from gigcx.payments import service as payments_service
from gigcx.web.deps import WebUser, login_redirect

router = APIRouter(include_in_schema=False)


@router.get("/statements/{payout_id}.csv")
def statement_csv(session: SessionDep, user: WebUser, payout_id: uuid.UUID) -> Response:
    if user is None:
        return login_redirect(f"/statements/{payout_id}.csv")
    return statement_download(payments_service.statement_of(session, user, payout_id), "csv")


@router.get("/statements/{payout_id}.pdf")
def statement_pdf(session: SessionDep, user: WebUser, payout_id: uuid.UUID) -> Response:
    if user is None:
        return login_redirect(f"/statements/{payout_id}.pdf")
    return statement_download(payments_service.statement_of(session, user, payout_id), "pdf")
