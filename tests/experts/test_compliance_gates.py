"""Compliance gates in routing: a real intake and routing, then why the expert got no offer."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.config import get_settings
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.enums import Gate, IdentityStatus
from gigcx.experts.compliance.errors import AgreementSuperseded, CountryMissing
from gigcx.experts.compliance.schemas import IdentityCheckReport
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment, Expert
from gigcx.kit import clock
from gigcx.routing import gates
from gigcx.routing import service as routing_service
from gigcx.tickets.enums import TicketStatus
from gigcx.tickets.models import Offer, Ticket
from tests.factories.brands import make_brand, make_program
from tests.factories.compliance import publish, set_rules
from tests.factories.experts import as_expert, make_expert
from tests.factories.tickets import make_ticket

WEDNESDAY = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


def offered_to(session: Session, ticket: Ticket) -> list[Expert]:
    offers = session.query(Offer).filter(Offer.ticket_id == ticket.id).all()
    return [session.get_one(Expert, o.expert_id) for o in offers]


def why(session: Session, expert: Expert, brand: Brand) -> list[str]:
    return [b.message for b in gates.why_blocked(session, expert.id, brand.id, clock.now())]


def market(session: Session) -> tuple[Brand, Program, Expert]:
    brand = make_brand(session)
    program = make_program(session, brand)
    return brand, program, make_expert(session, programs=[program])


def accept(session: Session, expert: Expert, agreement_id: uuid.UUID) -> None:
    compliance_service.accept_agreement(
        session,
        as_expert(expert),
        agreement_id,
        full_name="Erika Expert",
        client_address="203.0.113.9",
    )


def test_without_rules_an_expert_gets_offers_and_nothing_blocks(session: Session) -> None:
    brand, program, expert = market(session)

    ticket = make_ticket(session, program)

    assert offered_to(session, ticket) == [expert]
    assert why(session, expert, brand) == []


def test_platform_terms_block_offers_until_the_expert_accepts_them(session: Session) -> None:
    brand, program, expert = market(session)
    terms = publish(session)

    ticket = make_ticket(session, program)

    assert ticket.status == TicketStatus.ESCALATED
    assert offered_to(session, ticket) == []
    assert why(session, expert, brand) == [
        "Accept the platform terms (version 1) to receive offers."
    ]

    accept(session, expert, terms.id)

    assert offered_to(session, make_ticket(session, program)) == [expert]
    assert why(session, expert, brand) == []


def test_a_new_agreement_version_blocks_offers_until_accepted_again(session: Session) -> None:
    brand, program, expert = market(session)
    accept(session, expert, publish(session, brand).id)
    assert offered_to(session, make_ticket(session, program)) == [expert]

    second = publish(session, brand, body="# Terms\nNew clause.\n")

    assert offered_to(session, make_ticket(session, program)) == []
    assert why(session, expert, brand) == [
        f"Accept the new contractor agreement of {brand.name} (version 2) to receive offers."
    ]
    first = compliance_service.list_agreements(session, brand_id=brand.id)[-1]
    newcomer = make_expert(session, programs=[program])
    with pytest.raises(AgreementSuperseded):
        accept(session, newcomer, first.id)

    accept(session, expert, second.id)

    assert offered_to(session, make_ticket(session, program)) == [expert]
    acceptance = compliance_service.acceptances_of(session, second)[0][0]
    assert (acceptance.full_name, acceptance.client_address) == ("Erika Expert", "203.0.113.9")
    assert acceptance.body_sha256 == compliance_service.text_hash("# Terms\nNew clause.\n")


def test_an_expert_from_a_denied_country_gets_no_offer(session: Session) -> None:
    brand, program, expert = market(session)  # the factory's experts live in DE
    set_rules(session, brand, denied_countries=["de"])

    assert offered_to(session, make_ticket(session, program)) == []
    assert why(session, expert, brand) == [f"{brand.name} does not take experts from DE."]

    set_rules(session, brand, allowed_countries=["PT", "DE"], denied_countries=[])

    assert offered_to(session, make_ticket(session, program)) == [expert]


def test_an_allow_list_stops_experts_from_other_countries(session: Session) -> None:
    brand, program, expert = market(session)
    set_rules(session, brand, allowed_countries=["PT"])

    assert offered_to(session, make_ticket(session, program)) == []
    assert why(session, expert, brand) == [f"{brand.name} does not take experts from DE."]


def test_work_authorisation_is_needed_for_the_expert_s_current_country(session: Session) -> None:
    brand, program, expert = market(session)
    set_rules(session, brand, requires_work_authorisation=True)

    assert offered_to(session, make_ticket(session, program)) == []
    assert why(session, expert, brand) == [
        f"Confirm that you are authorised to work in DE for {brand.name} to receive offers."
    ]

    attestation = compliance_service.attest_work_authorisation(session, as_expert(expert), brand.id)

    assert attestation.statement.startswith("I am authorised to work in DE")
    assert offered_to(session, make_ticket(session, program)) == [expert]

    expert.country = "FR"  # moved: the attestation named another country
    session.flush()

    assert [b.gate for b in gates.why_blocked(session, expert.id, brand.id, clock.now())] == [
        Gate.WORK_AUTHORISATION
    ]
    assert offered_to(session, make_ticket(session, program)) == []


def test_attesting_without_a_country_asks_for_the_country_first(session: Session) -> None:
    brand, _, expert = market(session)
    set_rules(session, brand, requires_work_authorisation=True)
    expert.country = ""
    session.flush()

    with pytest.raises(CountryMissing):
        compliance_service.attest_work_authorisation(session, as_expert(expert), brand.id)
    assert why(session, expert, brand) == [
        f"Add your country to your profile: {brand.name} checks where its experts work."
    ]


def report(expert: Expert, status: IdentityStatus, minutes: int = 0) -> IdentityCheckReport:
    return IdentityCheckReport(
        expert_id=expert.id,
        status=status,
        provider="checkr",
        checked_at=WEDNESDAY + timedelta(minutes=minutes),
    )


def test_a_brand_that_requires_a_clear_identity_check_offers_only_to_cleared_experts(
    session: Session,
) -> None:
    brand, program, expert = market(session)
    set_rules(session, brand, requires_identity_check=True)

    assert offered_to(session, make_ticket(session, program)) == []
    assert why(session, expert, brand) == [
        f"{brand.name} requires a clear identity check to receive offers; you have none yet."
    ]

    compliance_service.record_identity_check(
        session, webhook_id="msg_1", report=report(expert, IdentityStatus.PENDING)
    )
    assert why(session, expert, brand) == [
        f"{brand.name} requires a clear identity check to receive offers; yours is pending."
    ]

    compliance_service.record_identity_check(
        session, webhook_id="msg_2", report=report(expert, IdentityStatus.CLEAR, 5)
    )

    assert offered_to(session, make_ticket(session, program)) == [expert]


@pytest.fixture
def platform_cap_of_two_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("GIGCX_MAX_HOURS_PER_WEEK", "2")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def work_a_ticket(session: Session, program: Program, expert: Expert) -> None:
    ticket = make_ticket(session, program)
    offer = session.query(Offer).filter(Offer.ticket_id == ticket.id).one()
    assert offer.expert_id == expert.id
    routing_service.accept_offer(session, as_expert(expert), offer.id)


def test_an_expert_at_the_brand_s_weekly_cap_gets_no_offer_until_monday(session: Session) -> None:
    brand, program, expert = market(session)
    set_rules(session, brand, max_hours_per_week=1)
    with clock.travel_to(WEDNESDAY):
        work_a_ticket(session, program, expert)  # the assignment stays open
    with clock.travel_to(WEDNESDAY + timedelta(minutes=59)):
        assert why(session, expert, brand) == []
    with clock.travel_to(WEDNESDAY + timedelta(minutes=61)):
        assert offered_to(session, make_ticket(session, program)) == []
        assert why(session, expert, brand) == [
            f"You reached this week's cap of 1 hours for {brand.name}; "
            "offers resume Monday 14 Dec 2026 00:00 UTC."
        ]
        total, caps = gates.week_hours(session, expert.id, clock.now())
        assert round(total, 1) == 1.0
        assert [(c.label, c.cap) for c in caps] == [("Platform", None), (brand.name, 1)]
    with clock.travel_to(datetime(2026, 12, 14, 0, 30, tzinfo=UTC)):
        assert offered_to(session, make_ticket(session, program)) == [expert]


@pytest.mark.usefixtures("platform_cap_of_two_hours")
def test_the_platform_cap_counts_work_for_every_brand(session: Session) -> None:
    brand, program, expert = market(session)
    other = make_program(session, make_brand(session))
    session.add(
        Enrollment(expert_id=expert.id, program_id=other.id, status=EnrollmentStatus.ACTIVE)
    )
    session.flush()
    with clock.travel_to(WEDNESDAY):
        work_a_ticket(session, other, expert)
    with clock.travel_to(WEDNESDAY + timedelta(minutes=121)):
        assert offered_to(session, make_ticket(session, program)) == []
        assert why(session, expert, brand) == [
            "You reached this week's platform cap of 2 hours; "
            "offers resume Monday 14 Dec 2026 00:00 UTC."
        ]
