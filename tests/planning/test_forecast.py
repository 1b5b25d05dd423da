"""The forecast model, its fallbacks, its band and its backtest, on numbers alone."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from gigcx.planning import forecast as model
from tests.factories.planning import weekly_series

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)


def naive_mase_by_hand(values: np.ndarray, origins: list[int], horizon: int) -> float:
    """Seasonal naive(168) from each origin, scaled by its training part's in-sample MAE."""
    scaled = []
    for origin in origins:
        train, actual = values[:origin], values[origin : origin + horizon]
        forecast = np.array([train[origin - 168 + i % 168] for i in range(horizon)])
        scale = np.mean(np.abs(train[168:] - train[:-168]))
        scaled.append(np.mean(np.abs(actual - forecast)) / scale)
    return float(np.mean(scaled))


def test_on_eight_weeks_of_daily_and_weekly_seasons_the_model_beats_seasonal_naive() -> None:
    values = weekly_series(weeks=8)

    result = model.backtest(values)

    assert result is not None
    origins = [1344 - 168 - 24 * k for k in (6, 5, 4, 3, 2, 1, 0)]
    assert model.backtest_origins(len(values)) == origins
    assert (result.horizon, result.origins) == (168, 7)
    assert result.methods == (model.Method.MSTL_ETS,) * 7
    assert result.naive.mase == pytest.approx(naive_mase_by_hand(values, origins, 168), rel=1e-12)
    assert result.model.mase is not None and result.naive.mase is not None
    assert result.model.mase < 0.9 * result.naive.mase
    assert result.model.mae < 0.9 * result.naive.mae


def test_the_forecast_starts_after_the_history_and_is_the_same_every_time() -> None:
    values = weekly_series(weeks=4)

    first = model.forecast(values, MONDAY, horizon=48)
    again = model.forecast(values, MONDAY, horizon=48)

    assert first.method == model.Method.MSTL_ETS
    assert first.start == MONDAY + timedelta(weeks=4)
    assert first.hours()[-1] == MONDAY + timedelta(weeks=4, hours=47)
    assert (first.horizon, len(first.lower), len(first.upper)) == (48, 48, 48)
    assert np.array_equal(first.mean, again.mean) and np.array_equal(first.upper, again.upper)


def test_the_band_holds_the_mean_never_goes_below_zero_and_is_wider_at_busy_hours() -> None:
    for values in (weekly_series(weeks=5), weekly_series(weeks=5, level=0.3), np.zeros(900)):
        predicted = model.forecast(values, MONDAY, horizon=336)

        assert np.all(predicted.lower >= 0)
        assert np.all(predicted.lower <= predicted.mean)
        assert np.all(predicted.mean <= predicted.upper)
    busy = model.forecast(weekly_series(weeks=5), MONDAY, horizon=24)
    widths = busy.upper - busy.lower
    assert widths[15] > widths[3]  # 15:00 on a Monday is the peak, 03:00 the trough


def test_a_falling_series_is_never_forecast_below_zero() -> None:
    values = np.concatenate([np.full(400, 30.0), np.linspace(30, 0, 400)])
    values = np.round(values * (1 + 0.5 * np.sin(np.arange(800) * 2 * np.pi / 24)))

    predicted = model.forecast(values, MONDAY, horizon=336)

    assert float(predicted.mean.min()) >= 0.0
    assert np.all(predicted.lower >= 0) and np.all(predicted.mean <= predicted.upper)
    assert np.array_equal(predicted.lower, np.round(predicted.lower))
    assert np.array_equal(predicted.upper, np.round(predicted.upper))


def test_under_two_weeks_the_forecast_repeats_the_last_week() -> None:
    values = weekly_series(weeks=2)[:300]

    predicted = model.forecast(values, MONDAY, horizon=336)

    assert predicted.method == model.Method.SEASONAL_NAIVE_WEEK
    assert np.array_equal(predicted.mean, np.concatenate([values[-168:], values[-168:]]))
    residuals = values[168:] - values[:-168]
    spread = 1.2815515655446004 * np.sqrt(np.mean(residuals**2))
    # The second week ahead is two weeks' residuals away: sqrt(2) wider.
    spreads = np.where(np.arange(336) < 168, spread, spread * np.sqrt(2))
    # Whole tickets: normal quantiles with the continuity correction.
    upper = np.ceil(predicted.mean + spreads - 0.5)
    lower = np.maximum(np.floor(predicted.mean - spreads + 0.5), 0)
    assert predicted.upper.tolist() == upper.tolist()
    assert predicted.lower.tolist() == lower.tolist()


def test_a_few_days_repeat_the_last_day_and_a_few_hours_give_their_mean() -> None:
    days = weekly_series(weeks=1)[:72]
    hours = np.array([2.0, 4.0, 0.0, 6.0])

    by_day = model.forecast(days, MONDAY, horizon=30)
    by_mean = model.forecast(hours, MONDAY, horizon=3)

    assert by_day.method == model.Method.SEASONAL_NAIVE_DAY
    assert np.array_equal(by_day.mean, np.concatenate([days[-24:], days[-24:-18]]))
    assert by_mean.method == model.Method.MEAN
    assert by_mean.mean.tolist() == [3.0, 3.0, 3.0]
    assert model.method_for(336) == model.Method.SEASONAL_NAIVE_WEEK
    assert model.method_for(337) == model.Method.MSTL_ETS


def test_a_flat_series_falls_back_to_seasonal_naive() -> None:
    predicted = model.forecast(np.full(500, 4.0), MONDAY, horizon=10)

    assert predicted.method == model.Method.SEASONAL_NAIVE_WEEK
    assert predicted.mean.tolist() == [4.0] * 10
    assert predicted.lower.tolist() == predicted.upper.tolist() == [4.0] * 10


def test_a_short_history_has_a_day_ahead_backtest_or_none() -> None:
    values = weekly_series(weeks=2)[:300]

    assert model.backtest(values) is None
    day_ahead = model.backtest(values, horizon=24)
    assert day_ahead is not None
    assert (day_ahead.horizon, day_ahead.origins) == (24, 4)  # from hours 204, 228, 252, 276
    assert day_ahead.methods == (model.Method.SEASONAL_NAIVE_WEEK,) * 4
    # Seasonal naive against itself: the same errors.
    assert day_ahead.model == day_ahead.naive
    assert model.backtest(values[:200], horizon=24) is None


def test_bad_input_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="negative count"):
        model.forecast([1.0, -1.0], MONDAY)
    with pytest.raises(ValueError, match="empty"):
        model.forecast([], MONDAY)
    with pytest.raises(ValueError, match="aware UTC"):
        model.forecast([1.0], datetime(2026, 1, 5))  # noqa: DTZ001
    with pytest.raises(ValueError, match="not a number"):
        model.forecast([1.0, float("nan")], MONDAY)
    with pytest.raises(ValueError, match="at least one hour"):
        model.forecast([1.0], MONDAY, horizon=0)
