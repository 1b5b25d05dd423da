"""Settings read from the environment (prefix ``GIGCX_``) or a ``.env`` file."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_PATH = Path("var") / "gigcx.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GIGCX_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATABASE_PATH}"
    # Set when database_url reaches PostgreSQL through a pooler in transaction mode (PgBouncer's
    # pool_mode = transaction): consecutive transactions of one connection may then run on
    # different server connections, so no server-side prepared statement is made (psycopg's
    # prepare_threshold off). Nothing else needs it: every lock and setting is per transaction.
    database_pooled: bool = False
    # PostgreSQL: where each process's change listener connects, directly, not through a pooler
    # (a listening connection holds a server session, which a pooler in transaction mode does
    # not keep). Empty: database_url, unless database_pooled is set; live feeds then look again
    # every 2 s.
    database_listen_url: str = ""
    # Live feeds: when set (redis://host:6379/0), change notifications between processes go
    # through Redis pub/sub on this channel instead of PostgreSQL's LISTEN/NOTIFY, whatever the
    # database (several SQLite server processes then push to each other too). Processes that
    # share a database must share the Redis and the channel.
    redis_url: str = ""
    redis_channel: str = "gigcx:live"
    host: str = "127.0.0.1"
    port: int = 8000
    api_processes: int = 1
    run_jobs_in_process: bool = True
    job_poll_seconds: float = 0.5
    # Who routes a ticket taken in by the API or the contact form: "inline" routes it in the
    # request (the answer says offered, queued or escalated); "runner" leaves it new and a job
    # runner routes it right after (the API answers 202). A request may ask for the runner
    # with "Prefer: respond-async".
    intake_routing: Literal["inline", "runner"] = "inline"
    # Finished jobs (done or dead) are deleted this many days after they finished.
    job_retention_days: int = 7
    # PostgreSQL: how long a job handler, or a request, waits for a row lock before giving up
    # (a request then answers 503 and may be retried; a job is retried later).
    job_lock_timeout_seconds: float = 10.0
    request_lock_timeout_seconds: float = 5.0
    # How long a stopping server process lets requests and the job in progress finish.
    shutdown_grace_seconds: float = 30.0
    # Log lines: "plain" for people, "json" (one object a line, with the request id) for a
    # log collector.
    log_format: Literal["plain", "json"] = "plain"
    # /metrics (Prometheus): when set, only with "Authorization: Bearer <token>"; when empty,
    # only to clients on this host (loopback). Others get 404.
    metrics_token: str = ""
    token_ttl_hours: int = 24 * 7
    # An expert who lets this many offers in a row lapse is set away (0: never).
    lapses_before_away: int = 3
    # Expert compliance: the hours an expert may work per ISO week (UTC) across all brands
    # (0: no platform cap), and the secret identity-check providers sign webhooks with
    # (Standard Webhooks: "whsec_<base64>"; empty: the webhook endpoint is off).
    max_hours_per_week: int = 0
    identity_webhook_secret: str = ""
    identity_webhook_tolerance_seconds: int = 300
    # Database connection pool per process; raise it when running many API threads.
    pool_size: int = 20
    # Signs customers' private ticket links. Set the same value on every process; when empty,
    # one is generated once and kept in var/secret_key.
    secret_key: str = ""
    # The address customers and API clients reach this server at (e.g. https://support.example.com),
    # for links handed out of band such as a customer's private link; when empty, the address of
    # the request that asked for the link.
    base_url: str = ""
    # An optional language model that drafts replies for experts: the base URL of an
    # OpenAI-compatible API (e.g. http://127.0.0.1:8080/v1) and the model to ask for. Nothing
    # depends on it; without a URL the "Draft with AI" action is not offered.
    llm_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_seconds: float = 30.0
    # The largest request body taken (JSON and forms); larger ones are refused with 413.
    max_body_bytes: int = 1024 * 1024
    # Outgoing mail: the SMTP server used unless a brand sets its own, written as
    # smtp://host:25, smtp+starttls://user:password@host:587 or smtps://user:password@host:465.
    # Empty: nothing is sent, and each mail says so on its ticket.
    smtp_url: str = ""
    # The sender of platform mail (password resets, notices) and the domain of the
    # Message-IDs and reply addresses GigCX makes up (empty: base_url's host).
    mail_from: str = "GigCX <no-reply@gigcx.localhost>"
    mail_domain: str = ""
    # Single sign-on: hosts of OpenID providers that may be reached over plain http or at a
    # loopback or private address (comma-separated, e.g. "127.0.0.1,keycloak.internal"). Every
    # other issuer must be https on a public address.
    sso_trusted_hosts: str = ""
    # The largest file taken with a message (mail, chat, contact page, expert reply).
    max_attachment_bytes: int = 10 * 1024 * 1024
    # Incoming mail: the largest mail taken (413 on the raw endpoint, 552 over LMTP, kept as
    # ignored when polled), and how many mails one sender may send a mailbox in an hour before
    # more are kept as ignored instead of opening tickets (a guard against mail loops).
    max_inbound_email_bytes: int = 25 * 1024 * 1024
    inbound_email_flood_limit: int = 5
    # When set, `gigcx serve` also takes mail over LMTP on 127.0.0.1 at this port.
    lmtp_port: int | None = None
    # Outbound webhooks go to public HTTPS addresses only. For development, hosts (names as
    # written in the endpoint URL) or IP addresses and networks (e.g. "127.0.0.1, 10.0.0.0/8")
    # listed here may be private and may use plain http. Cloud metadata addresses never.
    webhook_allowed_hosts: str = ""
    # Zendesk connections call https://<subdomain>.zendesk.com unless this is set (a test or
    # staging server); "{subdomain}" in it is replaced by the connection's subdomain.
    zendesk_base_url: str = ""
    # Days brand staff have to decide a human review case (an expert's request or an automated
    # proposal to restrict an enrollment) before it shows as overdue.
    human_review_days: int = 7
    # Reporting thresholds for payments to US persons, added to the built-in ones
    # (gigcx.payments.tax_thresholds): "YEAR=AMOUNT" pairs, e.g. "2027=2100,2028=2150".
    tax_report_thresholds: str = ""
    # Encryption at rest: master keys (KEKs) that wrap the data keys, written as
    # "k2:<base64 of 32 bytes>,k1:<...>" (the first encrypts, all decrypt; `gigcx keys generate`),
    # or a file holding the same (one per line). With neither on the embedded SQLite setup, a key
    # file is made once under var/; set one of them in production.
    encryption_keys: str = ""
    key_file: str = ""
    # Optional "module:function" that wraps and unwraps data keys instead of the local master
    # keys (a KMS or vault): see README "Keys and encryption at rest".
    kms_hook: str = ""


SECRET_KEY_PATH = Path("var") / "secret_key"


def get_secret_key() -> str:
    """Return the signing secret from the settings, or the one kept under var/."""
    configured = get_settings().secret_key
    if configured:
        return configured
    SECRET_KEY_PATH.parent.mkdir(parents=True, exist_ok=True)
    try:
        # "x": of two processes starting at once, exactly one writes the key.
        with SECRET_KEY_PATH.open("x") as new_file:
            new_file.write(secrets.token_urlsafe(48))
        SECRET_KEY_PATH.chmod(0o600)
    except FileExistsError:
        pass
    return SECRET_KEY_PATH.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
