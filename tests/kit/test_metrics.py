import time

import pytest

from gigcx.db import fanout, notify
from gigcx.kit import metrics


def test_a_counter_and_a_gauge_are_written_in_the_exposition_format() -> None:
    sent = metrics.Counter("test_sent_total", "Mails sent.", ("kind",))
    sent.inc(kind="reset")
    sent.inc(2, kind='say "hi"\n')
    depth = metrics.Gauge("test_depth", "Depth.")
    depth.set(2.5)

    assert sent.render() == (
        "# HELP test_sent_total Mails sent.\n"
        "# TYPE test_sent_total counter\n"
        'test_sent_total{kind="reset"} 1\n'
        'test_sent_total{kind="say \\"hi\\"\\n"} 2\n'
    )
    assert depth.render() == "# HELP test_depth Depth.\n# TYPE test_depth gauge\ntest_depth 2.5\n"


def test_a_histogram_counts_into_cumulative_buckets() -> None:
    took = metrics.Histogram("test_seconds", "Time.", ("route",), buckets=(0.1, 1.0))
    for seconds in (0.05, 0.5, 0.7, 3.0):
        took.observe(seconds, route="/a")

    assert took.render() == (
        "# HELP test_seconds Time.\n"
        "# TYPE test_seconds histogram\n"
        'test_seconds_bucket{route="/a",le="0.1"} 1\n'
        'test_seconds_bucket{route="/a",le="1"} 3\n'
        'test_seconds_bucket{route="/a",le="+Inf"} 4\n'
        'test_seconds_sum{route="/a"} 4.25\n'
        'test_seconds_count{route="/a"} 4\n'
    )


def test_a_gauge_has_no_sample_until_set_and_a_reading_replaces_the_last() -> None:
    depth = metrics.Gauge("test_queue", "Queue.", ("program",))
    empty = depth.render()
    depth.replace({("a",): 1.0, ("b",): 2.0})
    depth.replace({("b",): 3.0})

    assert empty == "# HELP test_queue Queue.\n# TYPE test_queue gauge\n"
    assert depth.render().splitlines()[2:] == ['test_queue{program="b"} 3']


def test_the_registry_hands_out_one_metric_per_name() -> None:
    first = metrics.counter("test_registered_total", "Once.", ("a",))

    assert metrics.counter("test_registered_total", "Once.", ("a",)) is first
    with pytest.raises(ValueError, match="registered already"):
        metrics.gauge("test_registered_total", "Twice.")
    with pytest.raises(ValueError, match="takes the labels"):
        first.inc(b="x")


def test_notification_lag_has_no_sample_until_a_listener_measures_one() -> None:
    metrics.notification_lag_seconds.clear()
    before = metrics.render()
    (payload,) = notify.payloads(["expert:x"], origin="elsewhere", committed_at=time.time() - 3)

    notify.handler(target=fanout.Hub())(payload)
    after = metrics.render()

    assert (
        "# HELP gigcx_notification_lag_seconds Seconds from a commit to a listener hearing its "
        "change notification, as last measured.\n# TYPE gigcx_notification_lag_seconds gauge\n"
    ) in before
    assert "\ngigcx_notification_lag_seconds " not in before
    assert "\ngigcx_notification_lag_seconds " in after
