"""A real server (uvicorn, job runner in process) on a fresh SQLite file, and Debian's Chromium.

Browser tests run in the SQLite lane; the PostgreSQL lane skips them (they test pages, not the
database). Chromium comes from the system (the Makefile installs Debian's package); nothing is
downloaded.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, expect, sync_playwright
from sqlalchemy.orm import sessionmaker

from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.principal import SYSTEM
from gigcx.brands import service as brands_service
from gigcx.brands.schemas import BrandCreate, CategoryIn, ProgramCreate
from gigcx.db import migrate
from gigcx.db.session import make_engine, unit_of_work
from gigcx.experts import service as experts_service
from gigcx.experts.enums import EnrollmentStatus
from gigcx.experts.models import Enrollment
from gigcx.experts.schemas import ExpertCreate
from tests.factories.brands import rate_card

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SERVER_START_POLLS = 6_000
# How long a page or an assertion waits for what it expects: a safety net against a hang, far
# beyond what a loaded machine needs (Playwright's own defaults are 5 s for assertions).
PATIENCE_MS = 180_000
SCREENSHOTS = Path("test-results") / "screenshots"
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if os.environ.get("GIGCX_TEST_DATABASE_URL", "").startswith("postgresql"):
    pytest.skip("browser tests run in the SQLite lane", allow_module_level=True)


@dataclass(frozen=True)
class Site:
    url: str
    brand_slug: str
    program_slug: str
    program_id: str
    expert_emails: tuple[str, str]
    brand_admin_email: str
    database_url: str = ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seed(url: str) -> Site:
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        brand = brands_service.create_brand(
            session,
            SYSTEM,
            BrandCreate(
                name="Trailhead Outfitters",
                slug="trailhead",
                currency="USD",
                admin_email="boss@trailhead.example.com",
                admin_password=PASSWORD,
            ),
        )
        program = brands_service.create_program(
            session,
            SYSTEM,
            ProgramCreate(
                name="Gear help",
                slug="gear-help",
                languages=["en"],
                channels=["chat"],
                categories=[
                    CategoryIn(key="orders", name="Orders and delivery"),
                    CategoryIn(key="legal", name="Legal", is_gig_eligible=False),
                ],
                rates=rate_card(("orders",)),
                offers_at_once=1,
                offer_ttl_seconds=600,
            ),
            brand_id=brand.id,
        )
        emails = ("ada@experts.example.com", "bo@experts.example.com")
        for email, name in zip(emails, ("Ada Lindqvist", "Bo Okafor"), strict=True):
            expert, _ = experts_service.register_expert(
                session,
                ExpertCreate(
                    email=email,
                    password=PASSWORD,
                    display_name=name,
                    country="SE",
                    timezone="Europe/Stockholm",
                    languages={"en": 5},
                    skills={"orders": 4},
                    capacity={"chat": 2},
                ),
            )
            session.add(
                Enrollment(
                    expert_id=expert.id, program_id=program.id, status=EnrollmentStatus.ACTIVE
                )
            )
        auth_service.create_user(
            session, email="root@gigcx.example.com", password=PASSWORD, role=Role.PLATFORM_ADMIN
        )
        site_program = (str(program.id), program.slug)
    engine.dispose()
    return Site(
        url="",
        brand_slug="trailhead",
        program_slug=site_program[1],
        program_id=site_program[0],
        expert_emails=emails,
        brand_admin_email="boss@trailhead.example.com",
    )


def _wait_until_serving(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    """Poll until the server answers, however slowly a loaded machine starts it; fail at once
    if it exits. The poll count is only a safety net against a hang (ten minutes at least)."""
    for _ in range(SERVER_START_POLLS):
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server never answered:\n{log.read_text()}")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("site")
    url = f"sqlite:///{folder / 'gigcx.db'}"
    seeded = _seed(url)
    port = _free_port()
    env = {
        **os.environ,
        "GIGCX_DATABASE_URL": url,
        "GIGCX_SECRET_KEY": "browser-test-secret",
        "GIGCX_JOB_POLL_SECONDS": "0.2",
        # The test OpenID provider (tests/servers/oidc.py) listens on 127.0.0.1.
        "GIGCX_SSO_TRUSTED_HOSTS": "127.0.0.1",
    }
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gigcx.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--timeout-graceful-shutdown",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(server, base, folder / "server.log")
        yield Site(**{**seeded.__dict__, "url": base, "database_url": url})
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=PATIENCE_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def patient_context(**options: Any) -> BrowserContext:
            context = new_context(**options)
            context.set_default_timeout(PATIENCE_MS)
            context.set_default_navigation_timeout(PATIENCE_MS)
            return context

        browser.new_context = patient_context  # type: ignore[method-assign]
        yield browser
        browser.close()
