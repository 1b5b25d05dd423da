import uuid
from datetime import datetime
from typing import Annotated

from pydantic import EmailStr, Field

from gigcx.kit.schemas import Schema

ZendeskId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Tag = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9_\-:./]+$")]


class ZendeskSettings(Schema):
    """What a brand fills in to connect its Zendesk."""

    program_id: uuid.UUID
    # Empty: the program's intent model picks one; without a model, pick one here.
    category: str = Field("", max_length=64)
    subdomain: str = Field(min_length=1, max_length=63, pattern=r"^[a-z0-9][a-z0-9-]*$")
    email: EmailStr
    # Empty when changing other settings: the saved token is kept.
    api_token: str = Field("", max_length=200, pattern=r"^[!-~]*$")
    agent_id: ZendeskId
    form_ids: list[ZendeskId] = Field(default_factory=list, max_length=50)
    group_ids: list[ZendeskId] = Field(default_factory=list, max_length=50)
    tags: list[Tag] = Field(default_factory=list, max_length=50)
    handback_group_id: ZendeskId | None = None
    poll_seconds: int = Field(300, ge=60, le=86_400)
    requests_per_minute: int = Field(200, ge=1, le=2_500)
    is_active: bool = True
    # Not on the normal form: a test or staging server instead of <subdomain>.zendesk.com.
    base_url: str = Field("", max_length=500, pattern=r"^(https?://[!-~]+)?$")


class ConnectionStatus(Schema):
    """How a connection is doing, for its console page."""

    linked_tickets: int
    comments_in: int
    comments_out: int
    writes_queued: int
    writes_failed: int
    last_pulled_at: datetime | None
    last_pushed_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
