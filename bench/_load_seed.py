"""The marketplace bench/load.py runs on: one brand, its API key, one program, N signed-in experts.

Experts, their users and their sign-in tokens are bulk-inserted (one password hash for all:
argon2 on every one would take minutes); a token is what a browser's session cookie and the
API's bearer header both carry, so each simulated expert follows its offer feed and calls the
API with the same token, as the web app and a mobile client would.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, text
from sqlalchemy.orm import sessionmaker

import _fixture
from gigcx.auth import service as auth_service
from gigcx.auth.enums import Role
from gigcx.auth.models import AccessToken, User
from gigcx.db import migrate
from gigcx.db.session import make_engine
from gigcx.kit import clock
from gigcx.kit.ids import new_secret, sha256_hex

PASSWORD = "load-bench-password"


@dataclass(frozen=True)
class ExpertLogin:
    expert_id: uuid.UUID
    token: str


@dataclass(frozen=True)
class World:
    api_key: str
    program: _fixture.ProgramInfo
    experts: list[ExpertLogin]


def seed(url: str, *, experts: int, rng: random.Random) -> World:
    """Migrate ``url`` and fill it: a brand, an API key, a program, ``experts`` available
    experts active in it (each with room for a few chats and mails), signed in."""
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    try:
        with factory() as session, session.begin():
            (program,) = _fixture.create_programs(session, programs=1, brands=1)
            api_key, _ = auth_service.create_api_key(
                session, brand_id=program.brand_id, name="load bench"
            )
            expert_ids = _fixture.add_experts(
                session,
                [program],
                per_program=experts,
                rng=rng,
                chat_capacity=(2, 3),
                email_capacity=(2, 4),
            )
            password_hash = auth_service.hash_password(PASSWORD)
            users = [
                {
                    "id": uuid.uuid4(),
                    "email": f"expert{n}@bench.example",
                    "password_hash": password_hash,
                    "role": Role.EXPERT,
                    "display_name": f"Expert {n}",
                    "expert_id": expert_id,
                }
                for n, expert_id in enumerate(expert_ids)
            ]
            session.execute(insert(User), users)
            expires = clock.now() + timedelta(days=1)
            tokens = [new_secret() for _ in users]
            session.execute(
                insert(AccessToken),
                [
                    {"user_id": user["id"], "token_hash": sha256_hex(token), "expires_at": expires}
                    for user, token in zip(users, tokens, strict=True)
                ],
            )
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    finally:
        engine.dispose()
    logins = [ExpertLogin(e, t) for e, t in zip(expert_ids, tokens, strict=True)]
    return World(api_key=api_key, program=program, experts=logins)
