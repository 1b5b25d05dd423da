"""Requests run by their jobs: a hold set in between refuses the erasure; reruns change nothing."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.audit.models import AuditEvent
from gigcx.rights import service as rights_service
from gigcx.rights.enums import RequestKind, RequestStatus
from gigcx.tickets.models import Customer
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.tickets import make_ticket
from tests.rights.helpers import run_privacy_jobs


def test_a_hold_set_after_the_request_refuses_the_erasure_in_its_job(session: Session) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    admin = brand_admin(brand)
    make_ticket(session, program, route=False, customer={"email": "gil@example.com", "name": "Gil"})
    row = rights_service.request(session, admin, kind=RequestKind.ERASURE, email="gil@example.com")
    hold = rights_service.set_hold(
        session, admin, reason="Regulator inquiry", customer_email="gil@example.com"
    )

    run_privacy_jobs(session)
    rights_service.run_request(session, row.id)

    session.refresh(row)
    assert row.status == RequestStatus.REFUSED
    assert f"legal hold {hold.id} on the customer" in row.detail
    customer = session.get_one(Customer, row.subject_id)
    assert (customer.email, customer.name) == ("gil@example.com", "Gil")
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.subject_id == customer.id)
        .order_by(AuditEvent.created_at)
    ).all()
    assert actions == ["privacy.erasure_requested", "privacy.hold_set", "privacy.erasure_refused"]
    audited = session.scalars(
        select(AuditEvent.data).where(AuditEvent.action == "privacy.erasure_requested")
    ).one()
    assert audited["email_hash"] == rights_service.email_hash("GIL@example.com ")
    assert "gil@example.com" not in str(audited)
