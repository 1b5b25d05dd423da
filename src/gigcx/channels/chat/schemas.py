import uuid
from typing import Any

from pydantic import EmailStr, Field

from gigcx.kit.schemas import Schema

BODY_LIMIT = 5_000


class ChatSessionCreate(Schema):
    """The pre-chat form and the visitor's first message."""

    key: str = Field(min_length=1, max_length=40, description="the widget's public key")
    name: str = Field("", max_length=120)
    email: EmailStr
    topic: str = Field("", max_length=64, description="a category key of the program")
    language: str = Field(
        "", max_length=35, description="the browser's language (navigator.language)"
    )
    body: str = Field(min_length=1, max_length=BODY_LIMIT)


class ChatSessionCreated(Schema):
    session_id: uuid.UUID
    visitor_token: str = Field(description="keep it: every later call of this chat needs it")
    language: str
    # Where the stream starts: events up to here are the history the visitor already sees.
    events: list[dict[str, Any]]


class ChatMessageCreate(Schema):
    body: str = Field(min_length=1, max_length=BODY_LIMIT)


class ChatEventRead(Schema):
    id: int = Field(description="the event's number in this chat: 1, 2, 3, ...")
    kind: str
    data: dict[str, Any]


class ChatSeen(Schema):
    event_id: int = Field(ge=0, le=2_000_000_000, description="the latest event shown")


class ChatBotAnswer(Schema):
    helped: bool


class ChatStateRead(Schema):
    status: str
    status_text: str
    expert_typing: str | None
    is_offline: bool
    offline_text: str
    continue_by_email: bool
    is_bot_answer_pending: bool
    can_reply: bool
