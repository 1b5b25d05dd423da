"""A new offer is mailed to experts who asked for offer mails, with nothing of the customer."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gigcx.channels.community import service as community_service
from gigcx.channels.community.enums import DigestFrequency
from gigcx.channels.community.schemas import AlertSettingsUpdate
from gigcx.channels.email.models import OutboundEmail
from gigcx.errors import PermissionDenied
from gigcx.tickets.models import Offer
from gigcx.views import expert as expert_views
from tests.factories.brands import brand_admin, make_brand, make_program
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket, run_jobs
from tests.servers.smtp import SmtpServer


def offer_mails(session: Session) -> list[OutboundEmail]:
    return list(session.scalars(select(OutboundEmail).where(OutboundEmail.kind == "offer_alert")))


def test_alerts_are_all_off_until_the_expert_opts_in(session: Session) -> None:
    expert = make_expert(session)

    settings = community_service.alert_settings(session, as_expert(expert))

    assert (settings.is_browser_on, settings.is_sound_on, settings.is_email_on) == (
        False,
        False,
        False,
    )
    assert settings.digest == DigestFrequency.OFF


def test_an_update_changes_only_the_fields_it_names(session: Session) -> None:
    expert = make_expert(session)
    community_service.update_alert_settings(
        session, as_expert(expert), AlertSettingsUpdate(is_email_on=True, is_sound_on=True)
    )

    settings = community_service.update_alert_settings(
        session, as_expert(expert), AlertSettingsUpdate(digest=DigestFrequency.WEEKLY)
    )

    assert (settings.is_browser_on, settings.is_sound_on, settings.is_email_on) == (
        False,
        True,
        True,
    )
    assert settings.digest == DigestFrequency.WEEKLY


def test_only_experts_have_alert_settings(session: Session) -> None:
    brand = make_brand(session)
    with pytest.raises(PermissionDenied):
        community_service.alert_settings(session, brand_admin(brand))


def test_a_new_offer_is_mailed_to_an_opted_in_expert_without_customer_data(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    community_service.update_alert_settings(
        session, as_expert(expert), AlertSettingsUpdate(is_email_on=True)
    )
    ticket = make_ticket(
        session,
        program,
        customer={"email": "rosa.quintero@example.org", "name": "Rosa Quintero"},
        body="My card 4111 1111 1111 1111 was charged twice, call me on +351 912 345 678.",
        subject="Double charge for Rosa",
    )
    offer = session.scalars(select(Offer).where(Offer.ticket_id == ticket.id)).one()
    session.commit()

    run_jobs(factory)

    [mail] = smtp_server.received.to(expert.email)
    text = mail.get_content()
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == f"New offer: {program.name} · Billing · EN"
    for secret in ("Rosa", "Quintero", "rosa.quintero@example.org", "4111", "912", "Double"):
        assert secret not in text
        assert secret not in mail["Subject"]
    assert f"Program:   {program.name} ({brand.name})" in text
    assert "Topic:     Billing" in text
    assert "Language:  EN" in text
    assert offer.expires_at.strftime("%Y-%m-%d %H:%M") in text
    pay = expert_views.offer_summary(session, offer).pay
    assert pay is not None
    pays = [line for line in text.splitlines() if line.startswith("Pays:")]
    assert pays == [f"Pays:      {pay.amount} {pay.currency}"]
    assert len(offer_mails(session)) == 1


def test_experts_without_offer_mails_get_none(
    session: Session, factory: sessionmaker[Session], smtp_server: SmtpServer
) -> None:
    brand = make_brand(session)
    program = make_program(session, brand)
    expert = make_expert(session, programs=[program])
    community_service.update_alert_settings(
        session, as_expert(expert), AlertSettingsUpdate(is_browser_on=True, is_sound_on=True)
    )
    make_ticket(session, program)
    session.commit()

    run_jobs(factory)

    assert smtp_server.received.to(expert.email) == []
    assert offer_mails(session) == []
