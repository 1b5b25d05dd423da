"""Coverage arithmetic on hand-built data: expected online, experts needed, gaps, regions."""

import uuid
from datetime import UTC, datetime

from gigcx.payments.service import surge_multiplier
from gigcx.planning import coverage
from gigcx.planning.coverage import Cell, ChannelTarget, ExpertSupply

# A Monday in January: New York is UTC-5, Tokyo UTC+9.
WEEK = datetime(2027, 1, 4, 12, tzinfo=UTC)
MON_10 = 10  # Monday 10:00-11:00 UTC


def supply(
    timezone: str = "UTC",
    *,
    seconds: dict[int, float] | None = None,
    weeks: int = 4,
    stated: tuple[tuple[int, int, int], ...] = (),
    languages: frozenset[str] = frozenset({"de"}),
) -> ExpertSupply:
    online = [0.0] * coverage.HOURS_PER_WEEK
    for hour, value in (seconds or {}).items():
        online[hour] = value
    return ExpertSupply(
        expert_id=uuid.uuid4(),
        timezone=timezone,
        languages=languages,
        online_seconds=online,
        observed_weeks=[weeks] * coverage.HOURS_PER_WEEK,
        stated=stated,
    )


def test_history_blends_with_stated_hours() -> None:
    # Online 2.5 of the 4 Monday 10:00 hours; states Monday 09-12 UTC.
    expert = supply(seconds={MON_10: 9000.0}, stated=((0, 9, 12),))

    chances = coverage.online_probability(expert, week_of=WEEK)

    assert chances[MON_10] == 0.75 * 0.625 + 0.25 * 1.0 == 0.71875
    assert chances[11] == 0.25  # stated, never seen online
    assert chances[12] == 0.0  # neither
    assert chances[9] == 0.25


def test_history_alone_is_the_share_of_the_observed_weeks() -> None:
    # Joined two weeks ago: online one full Monday 10:00 of the two.
    expert = supply(seconds={MON_10: 3600.0}, weeks=2)

    chances = coverage.online_probability(expert, week_of=WEEK)

    assert chances[MON_10] == 0.5
    assert sum(chances) == 0.5


def test_stated_hours_without_history_count_half_in_utc_of_the_expert_zone() -> None:
    # Monday 10-11 in Tokyo is Monday 01:00 UTC.
    expert = supply("Asia/Tokyo", stated=((0, 10, 11),))

    chances = coverage.online_probability(expert, week_of=WEEK)

    assert chances[1] == coverage.STATED_SHARE == 0.5
    assert sum(chances) == 0.5


def test_nothing_known_assumes_local_office_hours_at_a_quarter() -> None:
    expert = supply("America/New_York")

    chances = coverage.online_probability(expert, week_of=WEEK)

    # Local 09-17 on weekdays is 14:00-22:00 UTC: 5 days x 8 hours at 0.25.
    assert chances[14] == 0.25 and chances[21] == 0.25
    assert chances[13] == 0.0 and chances[22] == 0.0
    assert chances[5 * 24 + 14] == 0.0  # Saturday
    assert sum(chances) == 40 * 0.25 == 10.0


def test_expected_online_sums_chances_of_experts_who_write_the_language() -> None:
    experts = [
        supply(seconds={MON_10: 9000.0}, stated=((0, 9, 12),)),  # 0.71875
        supply(seconds={MON_10: 3600.0}, weeks=2),  # 0.5
        supply("Asia/Tokyo", stated=((0, 19, 20),)),  # Monday 10:00 UTC: 0.5
        supply(seconds={MON_10: 14400.0}, languages=frozenset({"fr"})),  # not German
    ]

    expected = coverage.expected_online(experts, ["de", "fr"], week_of=WEEK)

    assert expected[("de", MON_10)] == 1.71875
    assert expected[("fr", MON_10)] == 1.0
    assert expected[("de", 11)] == 0.25


def test_needed_sums_erlang_c_for_chat_and_workload_for_email() -> None:
    arrivals = {("en", "chat", MON_10): 200.0, ("en", "email", MON_10): 10.0}
    targets = {
        "chat": ChannelTarget("chat", 180.0, 0.8, 20.0),
        "email": ChannelTarget("email", 900.0),
    }

    needed = coverage.needed_experts(arrivals, targets)

    # 200 chats of 3 minutes in an hour: 10 Erlangs, 14 agents for 80 % in 20 s;
    # 10 mails of 15 minutes at 85 % occupancy: 2.94 -> 3.
    assert needed == {("en", MON_10): 17}


def test_no_work_needs_no_one() -> None:
    assert coverage.needed_experts({("en", "chat", 3): 0.0}, {}) == {("en", 3): 0}


def test_gaps_are_cells_short_of_experts_largest_first() -> None:
    needed = {("de", 1): 3, ("de", 2): 2, ("de", 3): 4, ("de", 4): 6}
    expected = {("de", 1): 1.2, ("de", 2): 2.0, ("de", 3): 3.2, ("de", 4): 2.9}

    found = coverage.cells(["de"], needed, expected)
    gaps = coverage.worst_gaps(found)

    assert [(c.hour, c.shortfall, c.level) for c in gaps] == [
        (4, 3.1, "gap"),
        (1, 1.8, "gap"),
        (3, 0.8, "tight"),
    ]
    assert found[2].level == "ok" and not found[2].is_gap
    assert found[0].level == "idle"
    assert len(found) == 168


def test_surge_ahead_follows_the_published_rule() -> None:
    cell = Cell("de", 30, needed=6, expected=2.4)

    waiting, seats = coverage.surge_pressure(cell)

    assert (waiting, seats) == (6, 2)
    assert str(surge_multiplier(waiting, seats)) == "1.50"


def test_next_occurrence_of_an_hour_of_the_week() -> None:
    monday_noon = datetime(2027, 1, 4, 12, 30, tzinfo=UTC)

    assert coverage.next_occurrence(MON_10, after=monday_noon) == datetime(
        2027, 1, 11, 10, tzinfo=UTC
    )
    assert coverage.next_occurrence(13, after=monday_noon) == datetime(2027, 1, 4, 13, tzinfo=UTC)
    assert coverage.hour_of_week(datetime(2027, 1, 10, 23, tzinfo=UTC)) == 167


def test_regions_where_the_gap_hour_is_daytime() -> None:
    assert coverage.region_for_hour(13).key == "europe-africa"
    assert coverage.region_for_hour(20).key == "americas"
    assert coverage.region_for_hour(5).key == "east-asia"
    assert coverage.region_for_hour(2).key == "oceania"
    assert coverage.region_for_hour(0).key == "oceania"
    assert coverage.region_for_hour(13).label() == "Europe and Africa (UTC+0 to UTC+3)"
