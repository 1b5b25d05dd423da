"""/metrics: Prometheus' text format, for this host or for a holder of the metrics token.

Besides what the process counts (request times, ``gigcx.kit.metrics``), each scrape reads from
the database: job lag per job name (how long the oldest due, unclaimed job has waited), queue
depth per program (tickets waiting to be routed) and offers pending an expert's answer.
"""

import hmac
import ipaddress
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import and_, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.config import get_settings
from gigcx.jobs.enums import JobStatus
from gigcx.jobs.models import Job
from gigcx.jobs.registry import registered_names
from gigcx.kit import clock, metrics
from gigcx.tickets.enums import ROUTABLE_STATUSES, OfferStatus
from gigcx.tickets.models import Offer, Ticket

database_up = metrics.gauge(
    "gigcx_database_up", "1 if the last scrape could read the database, else 0."
)
job_lag = metrics.gauge(
    "gigcx_job_lag_seconds",
    "Seconds the oldest due, unclaimed job of each name has waited past its due time.",
    ("name",),
)
queue_depth = metrics.gauge(
    "gigcx_queue_depth",
    "Tickets of each program waiting to be routed (new or queued).",
    ("program_id",),
)
offers_pending = metrics.gauge(
    "gigcx_offers_pending", "Offers made to experts and not yet answered or expired."
)


def _seconds_since(moment: datetime, now: datetime) -> float:
    return max(0.0, (now - moment).total_seconds())


def read_database_metrics(session: Session) -> None:
    """Set the gauges read from the database (one short read)."""
    now = clock.now()
    oldest = session.execute(
        select(Job.name, func.min(Job.run_at))
        .where(Job.status == JobStatus.QUEUED, Job.run_at <= now)
        .group_by(Job.name)
    ).all()
    lags: dict[metrics.Labels, float] = {(name,): 0.0 for name in registered_names()}
    lags.update({(name,): _seconds_since(run_at, now) for name, run_at in oldest})
    job_lag.replace(lags)
    waiting = session.execute(
        select(Program.id, func.count(Ticket.id))
        .outerjoin(
            Ticket,
            and_(Ticket.program_id == Program.id, Ticket.status.in_(ROUTABLE_STATUSES)),
        )
        .group_by(Program.id)
    ).all()
    queue_depth.replace({(str(program_id),): count for program_id, count in waiting})
    pending = session.scalar(
        select(func.count()).select_from(Offer).where(Offer.status == OfferStatus.PENDING)
    )
    offers_pending.set(pending or 0)


def may_read_metrics(request: Request) -> bool:
    """With a metrics token, whoever presents it; without one, clients on this host."""
    token = get_settings().metrics_token
    if token:
        presented = request.headers.get("authorization", "")
        return hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def install_metrics(app: FastAPI) -> None:
    @app.get("/metrics", include_in_schema=False)
    def read_metrics(request: Request) -> Response:
        if not may_read_metrics(request):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        try:
            with request.app.state.sessionmaker() as session:
                read_database_metrics(session)
            database_up.set(1)
        except DBAPIError:
            database_up.set(0)
            for gauge in (job_lag, queue_depth, offers_pending):
                gauge.clear()
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)
