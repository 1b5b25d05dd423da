"""Hourly arrival series: from a CSV of counts, and from a program's tickets."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from gigcx.planning.series import SeriesUnreadable, program_arrivals, read_counts_csv, total_of
from tests.factories.brands import make_brand, make_program
from tests.factories.planning import add_arrivals

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_a_csv_with_gaps_gets_zeros_and_finer_rows_add_up_in_their_hour() -> None:
    text = (
        "timestamp,count\n"
        "2026-03-02T10:00:00Z,4\n"
        "2026-03-02T13:15:00+00:00,2\n"
        "\n"
        "2026-03-02T13:45:00Z,1.0\n"
        "2026-03-02T12:00:00+01:00,5\n"  # 11:00 UTC
        "2026-03-02 09:00,3\n"  # no zone: UTC
    )

    series = read_counts_csv(text)

    assert series.start == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert series.values.tolist() == [3.0, 4.0, 5.0, 0.0, 3.0]
    assert (series.hours, series.total) == (5, 15)
    assert series.end == datetime(2026, 3, 2, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "timestamp,count\n2026-03-02T10:00:00Z,4\n2026-03-02T11:00:00Z,abc\n",
            "line 3: 'abc' is not a count",
        ),
        (
            "2026-03-02T10:00:00Z,4\nyesterday,4\n",
            "line 2: 'yesterday' is not a timestamp; write it as 2026-03-02T14:00:00Z",
        ),
        (
            "2026-03-02T10:00:00Z,4,7\n",
            "line 1: expected two values, timestamp,count; found 3",
        ),
        ("2026-03-02T10:00:00Z,-2\n", "line 1: the count '-2' must be zero or more"),
        ("2026-03-02T10:00:00Z,inf\n", "line 1: the count 'inf' must be zero or more"),
        ("timestamp,count\n\n", "the file holds no timestamp,count rows"),
        (
            "2020-01-01T00:00:00Z,1\n2026-01-01T00:00:00Z,1\n",
            "the rows span 52609 hours, from 2020-01-01T00:00:00+00:00 to "
            "2026-01-01T00:00:00+00:00; give at most 26280 (three years)",
        ),
    ],
)
def test_a_bad_csv_line_is_named_with_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(SeriesUnreadable) as refused:
        read_counts_csv(text)

    assert refused.value.detail == message


def test_tickets_count_per_hour_language_and_channel_from_the_first_ones_hour(
    session: Session,
) -> None:
    program = make_program(session, make_brand(session), languages=("en", "de"))
    other = make_program(session, make_brand(session))
    add_arrivals(
        session,
        program,
        [
            (NOON + timedelta(minutes=5), "en", "chat"),
            (NOON + timedelta(minutes=50), "en", "chat"),
            (NOON + timedelta(hours=2, minutes=1), "de", "email"),
            (NOON + timedelta(hours=3, minutes=59), "en", "email"),
            (NOON + timedelta(hours=5), "en", "chat"),  # at the end: not counted
            (NOON - timedelta(days=30), "en", "chat"),  # before the period
        ],
    )
    add_arrivals(session, other, [(NOON + timedelta(hours=1), "en", "chat")])

    series = program_arrivals(
        session, program.id, since=NOON - timedelta(days=2), until=NOON + timedelta(hours=5)
    )

    assert {key: s.values.tolist() for key, s in series.items()} == {
        ("de", "email"): [0.0, 0.0, 1.0, 0.0, 0.0],
        ("en", "chat"): [2.0, 0.0, 0.0, 0.0, 0.0],
        ("en", "email"): [0.0, 0.0, 0.0, 1.0, 0.0],
    }
    assert {s.start for s in series.values()} == {NOON}
    total = total_of(series)
    assert total is not None
    assert (total.start, total.values.tolist()) == (NOON, [2.0, 0.0, 1.0, 1.0, 0.0])
    assert (
        program_arrivals(
            session, program.id, since=NOON - timedelta(days=60), until=NOON - timedelta(days=40)
        )
        == {}
    )
    assert total_of({}) is None
