"""Planning use cases: forecasts (more join them here, one import line each)."""

from gigcx.planning.service._forecasts import FORECAST_JOB as FORECAST_JOB
from gigcx.planning.service._forecasts import HISTORY_WEEKS as HISTORY_WEEKS
from gigcx.planning.service._forecasts import HORIZON_HOURS as HORIZON_HOURS
from gigcx.planning.service._forecasts import PROGRAM_JOB as PROGRAM_JOB
from gigcx.planning.service._forecasts import Planning as Planning
from gigcx.planning.service._forecasts import Refresh as Refresh
from gigcx.planning.service._forecasts import backtest_series as backtest_series
from gigcx.planning.service._forecasts import planned_program as planned_program
from gigcx.planning.service._forecasts import planning as planning
from gigcx.planning.service._forecasts import programs_to_forecast as programs_to_forecast
from gigcx.planning.service._forecasts import queue_refresh as queue_refresh
from gigcx.planning.service._forecasts import refresh_all as refresh_all
from gigcx.planning.service._forecasts import refresh_program as refresh_program
from gigcx.planning.service._forecasts import request_refresh as request_refresh
