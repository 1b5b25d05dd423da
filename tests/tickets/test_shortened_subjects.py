from sqlalchemy.orm import Session

from gigcx.kit.text import shorten
from tests.factories.brands import make_brand, make_program
from tests.factories.tickets import make_ticket

# A list pasted line by line: no space before the cut, only line breaks.
BODY = (
    "Missing:\n"
    + "\n".join(
        [
            "tent-poles",
            "ground-sheet",
            "sleeping-bags",
            "camping-stove",
            "water-filter",
            "head-torches",
        ]
    )
    + "\nfirst-aid-kit\nPlease help, order 1042."
)


def test_a_subject_taken_from_the_message_ends_on_a_whole_word(session: Session) -> None:
    program = make_program(session, make_brand(session))

    ticket = make_ticket(session, program, body=BODY, route=False)

    assert ticket.subject == (
        "Missing:\ntent-poles\nground-sheet\nsleeping-bags\ncamping-stove\n"
        "water-filter\N{HORIZONTAL ELLIPSIS}"
    )


def test_shortening_cuts_at_any_space_and_only_a_single_long_word_mid_word() -> None:
    assert shorten("one\ntwo\tthree four", 12) == "one\ntwo\N{HORIZONTAL ELLIPSIS}"
    assert shorten("one two three", 7) == "one two\N{HORIZONTAL ELLIPSIS}"
    assert shorten("one two", 7) == "one two"
    assert shorten("unbreakableword", 6) == "unbrea\N{HORIZONTAL ELLIPSIS}"
    assert shorten("see me@example.com now", 12, never_inside=[(4, 18)]) == (
        "see\N{HORIZONTAL ELLIPSIS}"
    )
