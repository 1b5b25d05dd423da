"""The customer's pages: in their language, statuses in words, live, never an internal note."""

import html
import re
import uuid

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.brands.models import Brand, Program
from gigcx.quality.enums import RatingReason
from gigcx.quality.models import Rating
from gigcx.tickets.models import Ticket
from gigcx.views import i18n
from gigcx.web import live
from tests.api.helpers import Headers, Marketplace, build_marketplace
from tests.web.helpers import csrf_of, post_form

REPLY = "Your refund of 12.50 was sent today."
NOTE = "Customer sounds angry, third double charge this month."


def market_of(client: TestClient, session: Session, *, experts: int) -> Marketplace:
    """A program serving en, es, fr and de, with ``experts`` available experts."""
    return build_marketplace(client, session, experts=experts, languages=["en", "es", "fr", "de"])


def path_of(session: Session, market: Marketplace) -> str:
    program = session.get_one(Program, uuid.UUID(market.program_id))
    brand = session.get_one(Brand, program.brand_id)
    return f"/support/{brand.slug}/{program.slug}"


def write_in(client: TestClient, path: str, language: str = "en", query: str = "") -> str:
    """Write in on the contact page; return the private link it sends the customer to."""
    response = client.post(
        path + query,
        data={
            "name": "Carla Mendes",
            "email": "carla@example.com",
            "language": language,
            "category": "billing",
            "body": "My card was charged twice.",
            "csrf_token": csrf_of(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def ticket_id_of(link: str) -> str:
    return link.removeprefix("/c/").split(".")[0]


def html_lang(page: httpx.Response) -> str:
    found = re.search(r'<html lang="([^"]+)">', page.text)
    assert found is not None
    return found.group(1)


def text_of(page: httpx.Response) -> str:
    """The page's HTML with its character references read (``&#39;`` is ``'``)."""
    return html.unescape(page.text)


def first_event(client: TestClient, link: str) -> str:
    """The first event of the private page's live feed, its data joined back into HTML."""
    with client.stream("GET", f"{link}/stream") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = []
        for line in stream.iter_lines():
            if line == "":
                break
            lines.append(line)
    assert lines[0] == "event: html"
    assert lines[1].startswith("id: ")
    return "\n".join(line.removeprefix("data: ") for line in lines[2:])


def accept_offer(client: TestClient, expert: Headers) -> None:
    offers = client.get("/api/v1/offers", headers=expert).json()
    accepted = client.post(f"/api/v1/offers/{offers[0]['id']}/accept", headers=expert)
    assert accepted.status_code == 200, accepted.text


def act(client: TestClient, who: Headers, ticket_id: str, action: str, **body: object) -> None:
    response = client.post(f"/api/v1/tickets/{ticket_id}/{action}", json=body or None, headers=who)
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize(
    ("language", "label", "send"),
    [
        ("es", "Tu mensaje", "Enviar"),
        ("fr", "Votre message", "Envoyer"),
        ("de", "Ihre Nachricht", "Senden"),
    ],
)
def test_the_contact_page_is_in_the_language_asked_for(
    client: TestClient, session: Session, language: str, label: str, send: str
) -> None:
    market = market_of(client, session, experts=0)

    page = client.get(f"{path_of(session, market)}?lang={language}")

    assert page.status_code == 200
    assert html_lang(page) == language
    assert f'<label for="f-body">{label}</label>' in page.text
    assert f'<button type="submit">{send}</button>' in page.text
    assert f'<option value="{language}" selected>' in page.text
    assert "Your message" not in page.text


def test_the_contact_page_follows_the_browser_and_falls_back_to_the_programs_language(
    client: TestClient, session: Session
) -> None:
    market = market_of(client, session, experts=0)
    path = path_of(session, market)

    french = client.get(path, headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    unserved = client.get(f"{path}?lang=it", headers={"Accept-Language": "it-IT"})

    assert html_lang(french) == "fr" and "Votre e-mail" in french.text
    assert html_lang(unserved) == "en" and "Your email" in unserved.text


def test_contact_errors_are_plain_sentences_in_the_pages_language(
    client: TestClient, session: Session
) -> None:
    market = market_of(client, session, experts=0)

    refused = client.post(
        f"{path_of(session, market)}?lang=de",
        data={
            "email": "not-an-email",
            "language": "de",
            "category": "",
            "body": "",
            "csrf_token": csrf_of(client),
        },
    )

    assert refused.status_code == 400
    assert i18n.DE["error.email"] in text_of(refused)
    assert i18n.DE["error.category"] in text_of(refused)
    assert i18n.DE["error.body"] in text_of(refused)
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


@pytest.mark.parametrize("language", ["es", "fr", "de"])
def test_the_private_page_and_rating_are_in_the_tickets_language(
    client: TestClient, session: Session, language: str
) -> None:
    market = market_of(client, session, experts=0)
    link = write_in(client, path_of(session, market), language=language, query="?lang=en")
    ticket_id = ticket_id_of(link)
    words = i18n.MESSAGES[language]

    waiting = client.get(link)
    act(client, market.brand_admin, ticket_id, "messages", body=REPLY)
    act(client, market.brand_admin, ticket_id, "resolve")
    solved = client.get(link)
    rated = post_form(client, f"{link}/rating", {"score": "5", "reason": "", "comment": ""})
    thanked = client.get(link)

    assert html_lang(waiting) == language
    assert words["status.escalated"] in text_of(waiting)
    assert words["page.private"] in text_of(waiting)
    assert f"{words['reply.send']}</button>" in text_of(waiting)
    assert html_lang(solved) == language
    assert words["status.resolved"] in text_of(solved)
    assert words["rate.heading"] in text_of(solved)
    assert words["reason.helpful"] in text_of(solved)
    assert REPLY in solved.text
    assert rated.status_code == 303
    assert words["rate.thanks"].format(score=5) in text_of(thanked)


def test_the_page_shows_each_status_in_words_a_customer_understands(
    client: TestClient, session: Session
) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))
    ticket_id = ticket_id_of(link)
    expert = market.experts[0]
    seen = [text_of(client.get(link))]
    accept_offer(client, expert)
    seen.append(text_of(client.get(link)))
    act(client, expert, ticket_id, "messages", body=REPLY)
    act(client, expert, ticket_id, "wait")
    seen.append(text_of(client.get(link)))
    act(client, expert, ticket_id, "resolve")
    seen.append(text_of(client.get(link)))

    shown = [re.findall(r'<span class="status status-[a-z_]+">([^<]+)</span>', t) for t in seen]
    assert shown == [
        ["We're looking for the right person to help you"],
        ["An expert is writing to you"],
        ["Waiting for your reply"],
        ["Solved"],
    ]
    assert not any("waiting on customer" in t or "waiting_on_customer</" in t for t in seen)


def test_internal_notes_never_reach_the_page_or_its_live_feed(
    client: TestClient, session: Session
) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))
    ticket_id = ticket_id_of(link)
    expert = market.experts[0]
    accept_offer(client, expert)
    act(client, expert, ticket_id, "messages", body=REPLY)
    act(client, expert, ticket_id, "messages", body=NOTE, is_internal=True)

    page = client.get(link)
    event = first_event(client, link)

    assert REPLY in page.text and REPLY in event
    assert "An expert is writing to you" in event
    assert NOTE not in page.text
    assert NOTE not in event
    assert f'data-stream="{link}/stream?seen=' in page.text


def test_the_page_tells_its_feed_what_it_shows_so_nothing_is_sent_twice(
    client: TestClient, session: Session
) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))

    page = client.get(link)
    event = first_event(client, link)

    seen = re.search(r'data-stream="[^"?]+\?seen=([0-9a-f]+)"', page.text)
    assert seen is not None
    assert seen.group(1) == live.digest(event)


def test_a_bad_private_link_has_no_feed(client: TestClient, session: Session) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))

    answer = client.get(f"{link[:-4]}0000/stream")

    assert answer.status_code == 404


def test_a_customer_rates_without_picking_a_reason(client: TestClient, session: Session) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))
    ticket_id = ticket_id_of(link)
    expert = market.experts[0]
    accept_offer(client, expert)
    act(client, expert, ticket_id, "messages", body=REPLY)
    act(client, expert, ticket_id, "resolve")

    rated = post_form(client, f"{link}/rating", {"score": "4", "reason": "", "comment": ""})

    assert rated.status_code == 303
    stored = session.scalars(select(Rating)).one()
    assert (stored.score, stored.reason) == (4, RatingReason.NOT_GIVEN)
    page = client.get(link)
    assert "Thank you: you rated this conversation 4 out of 5." in page.text
    assert "How did we do?" not in page.text


def test_a_reason_that_is_not_on_the_list_is_refused_with_a_plain_sentence(
    client: TestClient, session: Session
) -> None:
    market = market_of(client, session, experts=1)
    link = write_in(client, path_of(session, market))
    ticket_id = ticket_id_of(link)
    expert = market.experts[0]
    accept_offer(client, expert)
    act(client, expert, ticket_id, "resolve")

    refused = post_form(client, f"{link}/rating", {"score": "4", "reason": "great"})
    no_score = post_form(client, f"{link}/rating", {"score": "", "reason": "helpful"})

    assert refused.status_code == 400
    assert "Choose a reason from the list, or leave it empty." in refused.text
    assert no_score.status_code == 400
    assert "Choose a rating from 1 (poor) to 5 (excellent)." in no_score.text
    assert session.scalar(select(func.count()).select_from(Rating)) == 0
