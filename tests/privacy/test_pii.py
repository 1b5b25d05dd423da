from gigcx.privacy import pii
from gigcx.privacy.pii import PiiKind

MESSAGE = (
    "Hi, my name is Anna Schmidt. Card 4111 1111 1111 1111 was charged twice. "
    "Call +49 30 1234567 or mail anna.s@example.com. IBAN DE89 3704 0044 0532 0130 00. "
    "I live at 221B Baker Street, London."
)


def test_finds_each_kind_of_personal_data_with_its_span() -> None:
    spans = pii.find(MESSAGE)

    assert [(s.kind, s.text) for s in spans] == [
        (PiiKind.NAME, "Anna Schmidt"),
        (PiiKind.CARD, "4111 1111 1111 1111"),
        (PiiKind.PHONE, "+49 30 1234567"),
        (PiiKind.EMAIL, "anna.s@example.com"),
        (PiiKind.IBAN, "DE89 3704 0044 0532 0130 00"),
        (PiiKind.ADDRESS, "221B Baker Street"),
    ]
    assert all(MESSAGE[s.start : s.end] == s.text for s in spans)


def test_card_numbers_and_ibans_must_pass_their_checksums() -> None:
    assert pii.luhn_valid("4111111111111111") is True
    assert pii.luhn_valid("4111111111111112") is False
    assert pii.iban_valid("DE89 3704 0044 0532 0130 00") is True
    assert pii.iban_valid("DE88 3704 0044 0532 0130 00") is False

    spans = pii.find("Not a card: 4111 1111 1111 1112, not an IBAN: DE88370400440532013000.")

    assert spans == []


def test_order_numbers_and_dates_are_not_phones() -> None:
    assert pii.find("Order 12345678 placed on 2024-01-05, ref 1234567.") == []


def test_the_customers_known_name_is_found_anywhere() -> None:
    spans = pii.find("Thanks for the help, Priya here again", known_names=["Priya Patel"])

    assert [(s.kind, s.text) for s in spans] == [(PiiKind.NAME, "Priya")]


def test_an_address_at_the_end_of_a_sentence_is_masked() -> None:
    assert pii.mask_text("Send it to 221B Baker Street. Thanks") == "Send it to [address]. Thanks"


def test_masking_replaces_all_but_the_granted_kinds() -> None:
    text = "Mail me at anna.s@example.com or call 030 1234 5678."

    assert pii.mask_text(text) == "Mail me at [email] or call [phone]."
    assert (
        pii.mask_text(text, granted=["email"]) == "Mail me at anna.s@example.com or call [phone]."
    )


def test_spans_are_stored_without_the_personal_data_and_read_back_from_their_text() -> None:
    text = "write to a@b.example.org"
    span = pii.find(text)[0]

    assert span.as_dict() == {"kind": "email", "start": 9, "end": 24}
    assert pii.Span.from_dict(span.as_dict(), text) == span


def test_card_numbers_are_redacted_to_their_last_four_digits_and_still_found_as_cards() -> None:
    redacted = pii.redact_cards(MESSAGE)

    assert "4111" not in redacted
    assert "Card [card ending 1111] was charged twice" in redacted
    assert "DE89 3704 0044 0532 0130 00" in redacted  # an IBAN is not a card
    assert [(s.kind, s.text) for s in pii.find(redacted) if s.kind is PiiKind.CARD] == [
        (PiiKind.CARD, "[card ending 1111]")
    ]
    assert pii.mask_text(redacted).startswith("Hi, my name is [name]. Card [card] was charged")
    assert pii.redact_cards("Order 4111 1111 1111 1112 is not a card.") == (
        "Order 4111 1111 1111 1112 is not a card."
    )


def test_shortening_never_cuts_inside_personal_data() -> None:
    text = "Please write to me at carla.mendes@example.com about the refund."

    assert pii.shorten(text, 30) == "Please write to me at\N{HORIZONTAL ELLIPSIS}"
    assert pii.shorten(text, 200) == text
    assert pii.shorten("Wrong charge on DE89 3704 0044 0532 0130 00 today", 30) == (
        "Wrong charge on\N{HORIZONTAL ELLIPSIS}"
    )
