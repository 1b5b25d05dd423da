"""Forecast hourly arrivals from their history, and backtest the forecast against seasonal naive.

Pure: counts in, numbers out (no database, no clock); the same input always gives the same
output.

The model (``Method.MSTL_ETS``) follows statsforecast's ``MSTL`` with its ``AutoETS`` trend:

1. MSTL (Bandara, Hyndman & Bergmeir 2021) splits the series into a daily (24 h) and a weekly
   (168 h) seasonal part, a trend and a remainder. The seasonal smoothers are local means
   (``seasonal_deg=0``) over about four weeks of days and eleven weeks of weeks. statsmodels'
   default, local lines over 11 and 15 cycles, extrapolates at the end of the series, and its
   last cycle (which becomes the forecast) then carries the noise of the last few weeks: on
   the synthetic series of ``bench/forecast.py`` it barely beats seasonal naive, where local
   means cut the backtest MASE by 10 to 25 %. The trend and low-pass smoothers are evaluated
   every tenth point and interpolated, as R's ``stl`` does by default: five times faster, the
   same backtest to three decimals.
2. Each seasonal part goes forward by repeating its last cycle.
3. The seasonally adjusted series (trend plus remainder) goes forward by exponential smoothing
   with additive errors and no season: simple, ETS(A,N,N), or with a damped additive trend,
   ETS(A,Ad,N), whichever has the smaller AICc. Damped, never linear: over two weeks a linear
   trend fitted to a few noisy weeks runs away, and Taylor (2008) finds that for call-centre
   arrivals beyond two or three days ahead little beats the recent level.

The band around the mean (``level``, 80 % by default) adds two variances and takes the normal
quantiles of their sum, widened to whole tickets with the continuity correction (on a quiet
hour, 0 to 1 ticket rather than 0 to 0.96). Counts vary with their level, so the noise of an
hour is a dispersion times its mean (quasi-Poisson: a quiet night hour gets a narrow band, a
busy afternoon a wide one); the dispersion comes from week-on-week differences, and grows by
the error of the weekly shape, itself a weighted mean of past weeks. The uncertainty of the
smoothed level grows with the lead time h as ETS's analytic variance does:
sigma^2 * sum over j < h of (alpha + beta * (phi + ... + phi^j))^2. The seasonal parts are
otherwise taken as known, as statsforecast's MSTL intervals do.

With two weeks of history or less (MSTL needs more than two whole weekly cycles), the forecast
is seasonal naive: the last week repeated (``Method.SEASONAL_NAIVE_WEEK``, from eight days),
else the last day (``Method.SEASONAL_NAIVE_DAY``, from two days), else the mean
(``Method.MEAN``). Their bands are the textbook ones (Hyndman & Athanasopoulos, FPP3 5.5):
the in-sample seasonal-naive residual variance times the number of cycles ahead.

The backtest (``backtest``) forecasts from several origins near the end of the history and
compares with what came: MAE, and MASE scaled by the in-sample MAE of seasonal naive(168) on
each origin's training part (Hyndman & Koehler 2006), for the model and for seasonal naive(168)
on the same origins.
"""

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from statistics import NormalDist
from typing import Any

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]

DAY = 24
WEEK = 7 * DAY
PERIODS = (DAY, WEEK)
# Lengths of the seasonal smoothers, in cycles: the daily shape from about four weeks of days,
# the weekly shape from about eleven weeks.
SEASONAL_WINDOWS = (29, 11)
STL_OPTIONS = {"seasonal_deg": 0, "trend_jump": 10, "low_pass_jump": 10}
# statsmodels' MSTL drops a period that is not shorter than half the series.
MSTL_MIN_HOURS = 2 * WEEK + 1
# Seasonal naive copies a whole cycle and sizes its band from at least a day of residuals.
NAIVE_WEEK_MIN_HOURS = WEEK + DAY
NAIVE_DAY_MIN_HOURS = 2 * DAY
DEFAULT_HORIZON = 14 * DAY
DEFAULT_LEVEL = 0.8
# The backtest: origins a day apart, each forecasting a week; the training part before each
# origin holds more than a week, for the MASE scale.
BACKTEST_HORIZON = WEEK
BACKTEST_ORIGINS = 7
BACKTEST_STEP = DAY
BACKTEST_MIN_TRAIN = NAIVE_WEEK_MIN_HOURS

Progress = Callable[[int, int], None]


@cache
def _threads() -> Any:
    """The BLAS thread pools: the fits solve tiny problems, where threads only contend (four
    times slower on two busy cores)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class Method(StrEnum):
    MSTL_ETS = "mstl_ets"
    SEASONAL_NAIVE_WEEK = "seasonal_naive_168"
    SEASONAL_NAIVE_DAY = "seasonal_naive_24"
    MEAN = "mean"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Method.MSTL_ETS: "MSTL (daily and weekly seasons) with exponential smoothing",
    Method.SEASONAL_NAIVE_WEEK: "seasonal naive: last week repeated",
    Method.SEASONAL_NAIVE_DAY: "seasonal naive: last day repeated",
    Method.MEAN: "mean of the history",
}


@dataclass(frozen=True)
class HourlyForecast:
    """Expected arrivals per hour from ``start``, with a band holding ``level`` of outcomes."""

    start: datetime
    method: Method
    level: float
    mean: Floats
    lower: Floats
    upper: Floats

    @property
    def horizon(self) -> int:
        return len(self.mean)

    def hours(self) -> list[datetime]:
        return [self.start + timedelta(hours=i) for i in range(self.horizon)]

    def rows(self) -> Iterator[tuple[datetime, float, float, float]]:
        """(hour, mean, lower, upper) for each hour."""
        for i, hour in enumerate(self.hours()):
            yield hour, float(self.mean[i]), float(self.lower[i]), float(self.upper[i])


@dataclass(frozen=True)
class Score:
    mae: float
    # None when no origin's training part varies from week to week (the scale is zero).
    mase: float | None


@dataclass(frozen=True)
class Backtest:
    """Errors of the model and of seasonal naive(168) forecasting from the same origins."""

    horizon: int
    origins: int
    model: Score
    naive: Score
    # The share of actual hours that fell inside the model's band.
    coverage: float
    methods: tuple[Method, ...]


def as_counts(values: Any) -> Floats:
    """Return ``values`` as a one-dimensional float array of counts, or raise ValueError."""
    counts = np.asarray(values, dtype=np.float64)
    if counts.ndim != 1:
        raise ValueError("the series must be one-dimensional")
    if not np.all(np.isfinite(counts)):
        raise ValueError("the series holds a value that is not a number")
    if np.any(counts < 0):
        raise ValueError("the series holds a negative count")
    return counts


def hour_start(moment: datetime) -> datetime:
    """Return ``moment``'s hour in UTC; refuse a time without a zone."""
    if moment.tzinfo is None:
        raise ValueError("give the start as an aware UTC time")
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def method_for(hours: int) -> Method:
    """The method a history of ``hours`` hours is forecast with."""
    if hours >= MSTL_MIN_HOURS:
        return Method.MSTL_ETS
    if hours >= NAIVE_WEEK_MIN_HOURS:
        return Method.SEASONAL_NAIVE_WEEK
    if hours >= NAIVE_DAY_MIN_HOURS:
        return Method.SEASONAL_NAIVE_DAY
    return Method.MEAN


def forecast(
    values: Any,
    start: datetime,
    *,
    horizon: int = DEFAULT_HORIZON,
    level: float = DEFAULT_LEVEL,
) -> HourlyForecast:
    """Forecast ``horizon`` hours after hourly counts ``values`` whose first hour is ``start``."""
    counts = as_counts(values)
    if len(counts) == 0:
        raise ValueError("the series is empty: a forecast needs at least one hour of history")
    if horizon < 1:
        raise ValueError("the horizon must be at least one hour")
    if not 0 < level < 1:
        raise ValueError("the band's level must be between 0 and 1")
    first = hour_start(start) + timedelta(hours=len(counts))
    method = method_for(len(counts))
    mean, variance = _predict(counts, horizon, method)
    if method is Method.MSTL_ETS and mean is None:
        # A degenerate series (one without any variation) has nothing to smooth.
        method = Method.SEASONAL_NAIVE_WEEK
        mean, variance = _predict(counts, horizon, method)
    assert mean is not None and variance is not None
    z = NormalDist().inv_cdf(0.5 + level / 2)
    spread = z * np.sqrt(np.maximum(variance, 0.0))
    mean = np.maximum(mean, 0.0)
    # Whole tickets, with the continuity correction: P(X <= k) ~ Phi((k + 0.5 - mean) / sd).
    lower = np.minimum(np.floor(mean - spread + 0.5), np.floor(mean))
    upper = np.maximum(np.ceil(mean + spread - 0.5), np.ceil(mean))
    return HourlyForecast(
        start=first,
        method=method,
        level=level,
        mean=mean,
        lower=np.maximum(lower, 0.0),
        upper=upper,
    )


def _predict(counts: Floats, horizon: int, method: Method) -> tuple[Floats | None, Floats | None]:
    if method is Method.MSTL_ETS:
        return _mstl_ets(counts, horizon)
    if method is Method.MEAN:
        variance = float(np.var(counts)) * (1 + 1 / len(counts))
        return np.full(horizon, float(np.mean(counts))), np.full(horizon, variance)
    season = WEEK if method is Method.SEASONAL_NAIVE_WEEK else DAY
    return seasonal_naive(counts, horizon, season), _naive_variance(counts, horizon, season)


def seasonal_naive(counts: Floats, horizon: int, season: int = WEEK) -> Floats:
    """The last ``season`` hours repeated over ``horizon`` hours."""
    if len(counts) < season:
        raise ValueError(f"seasonal naive({season}) needs at least {season} hours")
    return np.resize(counts[-season:], horizon).astype(np.float64)


def _naive_variance(counts: Floats, horizon: int, season: int) -> Floats:
    residuals = counts[season:] - counts[:-season]
    sigma2 = float(np.mean(residuals**2))
    cycles_ahead = np.arange(horizon, dtype=np.float64) // season
    return sigma2 * (cycles_ahead + 1.0)


def _mstl_ets(counts: Floats, horizon: int) -> tuple[Floats | None, Floats | None]:
    # statsmodels (and scipy under it) load with the first forecast, not with the app.
    from statsmodels.tsa.seasonal import MSTL

    if float(np.ptp(counts)) == 0.0:
        return None, None
    with warnings.catch_warnings(), _threads().limit(limits=1, user_api="blas"):
        # Optimiser notes (convergence, bounds) are expected on short or flat series.
        warnings.simplefilter("ignore")
        parts = MSTL(
            counts, periods=PERIODS, windows=SEASONAL_WINDOWS, stl_kwargs=STL_OPTIONS
        ).fit()
        seasonal = np.asarray(parts.seasonal, dtype=np.float64)
        adjusted = counts - seasonal.sum(axis=1)
        trend = _smooth(adjusted)
    if trend is None:
        return None, None
    ahead = np.zeros(horizon)
    for k, period in enumerate(PERIODS):
        ahead += np.resize(seasonal[-period:, k], horizon)
    results, params = trend
    mean = np.asarray(results.forecast(horizon), dtype=np.float64) + ahead
    sigma2 = float(np.mean(np.asarray(results.resid, dtype=np.float64) ** 2))
    # The weekly shape is a weighted mean of past weeks: its error adds to the noise.
    noise = _dispersion(counts) * np.maximum(mean, 0.0) * (1 + 1 / _cycles_averaged(len(counts)))
    return mean, noise + sigma2 * _level_growth(params, horizon)


def _cycles_averaged(hours: int) -> float:
    """How many weeks the last week of the weekly part is worth: (sum w)^2 / sum w^2 of the
    tricube weights a local mean over the last ``SEASONAL_WINDOWS[1]`` weeks gives them."""
    weeks = min(hours // WEEK, SEASONAL_WINDOWS[1])
    distance = np.arange(weeks) / weeks
    weights = (1 - distance**3) ** 3
    return float(np.sum(weights) ** 2 / np.sum(weights**2))


def _dispersion(counts: Floats) -> float:
    """Variance over mean of the counts, from week-on-week differences.

    y(t) - y(t-168) has variance phi * (lambda(t) + lambda(t-168)) whatever the weekly shape,
    and y(t) + y(t-168) has that sum as its mean: their ratio estimates phi without the
    optimism of in-sample residuals, which the fitted seasonal parts have already absorbed.
    """
    now, before = counts[WEEK:], counts[:-WEEK]
    total = float(np.sum(now + before))
    return float(np.sum((now - before) ** 2)) / total if total > 0 else 1.0


def _smooth(adjusted: Floats) -> tuple[Any, dict[str, float]] | None:
    """Fit ETS(A,N,N) and ETS(A,Ad,N); return the one with the smaller AICc and its parameters."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    best: tuple[Any, dict[str, float]] | None = None
    best_aicc = np.inf
    for trend, damped in ((None, False), ("add", True)):
        try:
            results = ETSModel(adjusted, error="add", trend=trend, damped_trend=damped).fit(
                disp=False
            )
        except (ValueError, np.linalg.LinAlgError):
            continue
        aicc = float(results.aicc)
        if np.isfinite(aicc) and aicc < best_aicc:
            params = {
                name: float(value)
                for name, value in zip(results.param_names, results.params, strict=True)
            }
            best, best_aicc = (results, params), aicc
    return best


def _level_growth(params: dict[str, float], horizon: int) -> Floats:
    """sum over j < h of (alpha + beta * (phi + ... + phi^j))^2, for each lead h = 1..horizon."""
    alpha = params.get("smoothing_level", 0.0)
    beta = params.get("smoothing_trend", 0.0)
    phi = params.get("damping_trend", 1.0)
    leads = np.arange(1, horizon)
    damped_sums = np.cumsum(phi**leads) if len(leads) else np.zeros(0)
    steps = (alpha + beta * damped_sums) ** 2
    return np.concatenate(([0.0], np.cumsum(steps)))


def naive_scale(train: Floats, season: int = WEEK) -> float:
    """The in-sample MAE of seasonal naive(``season``): the MASE denominator."""
    if len(train) <= season:
        raise ValueError(f"the MASE scale needs more than {season} hours")
    return float(np.mean(np.abs(train[season:] - train[:-season])))


def backtest_origins(
    hours: int,
    *,
    horizon: int = BACKTEST_HORIZON,
    origins: int = BACKTEST_ORIGINS,
    step: int = BACKTEST_STEP,
) -> list[int]:
    """The origins (hours of history before each) a backtest of ``hours`` uses, oldest first."""
    found = [hours - horizon - step * k for k in range(origins)]
    return sorted(o for o in found if o >= BACKTEST_MIN_TRAIN)


def backtest(
    values: Any,
    *,
    horizon: int = BACKTEST_HORIZON,
    origins: int = BACKTEST_ORIGINS,
    step: int = BACKTEST_STEP,
    level: float = DEFAULT_LEVEL,
    progress: Progress | None = None,
) -> Backtest | None:
    """Forecast ``horizon`` hours from each origin and score the model and seasonal naive(168).

    The last origin leaves exactly ``horizon`` hours to compare with; the others are ``step``
    hours apart before it. Origins whose training part is not longer than a week and a day are
    left out; None when none is left.
    """
    counts = as_counts(values)
    chosen = backtest_origins(len(counts), horizon=horizon, origins=origins, step=step)
    if not chosen:
        return None
    epoch = datetime(2000, 1, 3, tzinfo=UTC)  # any hour: the forecast does not look at dates
    model_errors: list[float] = []
    naive_errors: list[float] = []
    model_scaled: list[float] = []
    naive_scaled: list[float] = []
    inside = 0
    methods = []
    for done, origin in enumerate(chosen):
        train, actual = counts[:origin], counts[origin : origin + horizon]
        predicted = forecast(train, epoch, horizon=horizon, level=level)
        naive = seasonal_naive(train, horizon, WEEK)
        model_mae = float(np.mean(np.abs(actual - predicted.mean)))
        naive_mae = float(np.mean(np.abs(actual - naive)))
        model_errors.append(model_mae)
        naive_errors.append(naive_mae)
        scale = naive_scale(train)
        if scale > 0:
            model_scaled.append(model_mae / scale)
            naive_scaled.append(naive_mae / scale)
        inside += int(np.sum((actual >= predicted.lower) & (actual <= predicted.upper)))
        methods.append(predicted.method)
        if progress is not None:
            progress(done + 1, len(chosen))
    return Backtest(
        horizon=horizon,
        origins=len(chosen),
        model=Score(float(np.mean(model_errors)), _mean_or_none(model_scaled)),
        naive=Score(float(np.mean(naive_errors)), _mean_or_none(naive_scaled)),
        coverage=inside / (horizon * len(chosen)),
        methods=tuple(methods),
    )


def _mean_or_none(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None
