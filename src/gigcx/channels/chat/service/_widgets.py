"""A brand's widget: created on first save, its key, where it may be embedded."""

import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.brands.models import Program
from gigcx.channels.chat.errors import OriginRefused, WidgetNotFound
from gigcx.channels.chat.models import DEFAULT_ANSWER_SECONDS, ChatWidget
from gigcx.errors import InvalidInput

KEY_PREFIX = "pk_"
MAX_ORIGINS = 50
ANSWER_SECONDS_RANGE = (10, 3600)
OFFLINE_MESSAGE_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class WidgetSettings:
    program_id: uuid.UUID
    is_enabled: bool
    allowed_origins: list[str]
    asks_name: bool
    asks_topic: bool
    answer_seconds: int = DEFAULT_ANSWER_SECONDS
    offline_message: str = ""


def new_public_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(18)


def normalize_origin(text: str) -> str:
    """``https://Shop.example.com/`` as ``https://shop.example.com``; anything else refused."""
    value = text.strip()
    parts = urlsplit(value)
    is_plain = not (parts.path.strip("/") or parts.query or parts.fragment or parts.username)
    if parts.scheme not in {"http", "https"} or not parts.hostname or not is_plain:
        raise InvalidInput(
            f"{value[:100]!r} is not a site's origin; write each as scheme and host, with the "
            "port if it is not the usual one, such as https://shop.example.com"
        )
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{value[:100]!r} has a port that is not a number") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def widget_of(session: Session, brand_id: uuid.UUID) -> ChatWidget | None:
    return session.scalar(select(ChatWidget).where(ChatWidget.brand_id == brand_id))


def save_widget(session: Session, brand_id: uuid.UUID, settings: WidgetSettings) -> ChatWidget:
    """Create or change the brand's widget; its public key is made on first save."""
    program = session.get(Program, settings.program_id)
    if program is None or program.brand_id != brand_id:
        raise InvalidInput("choose one of your programs for the chats")
    if settings.is_enabled and "chat" not in program.channels:
        raise InvalidInput(
            f"program {program.name!r} does not take the chat channel; add it to the program's "
            "channels first"
        )
    low, high = ANSWER_SECONDS_RANGE
    if not low <= settings.answer_seconds <= high:
        raise InvalidInput(f"the promised answer time is {low} to {high} seconds")
    if len(settings.offline_message) > OFFLINE_MESSAGE_LIMIT:
        raise InvalidInput(f"keep the offline message to {OFFLINE_MESSAGE_LIMIT} characters")
    origins = list(dict.fromkeys(normalize_origin(o) for o in settings.allowed_origins if o))
    if len(origins) > MAX_ORIGINS:
        raise InvalidInput(f"list at most {MAX_ORIGINS} allowed origins")
    widget = widget_of(session, brand_id)
    if widget is None:
        widget = ChatWidget(brand_id=brand_id, public_key=new_public_key())
        session.add(widget)
    widget.program_id = program.id
    widget.is_enabled = settings.is_enabled
    widget.allowed_origins = origins
    widget.asks_name = settings.asks_name
    widget.asks_topic = settings.asks_topic
    widget.answer_seconds = settings.answer_seconds
    widget.offline_message = settings.offline_message.strip()
    session.flush()
    return widget


def renew_key(session: Session, widget: ChatWidget) -> str:
    """Give the widget a new public key: snippets with the old one stop working."""
    widget.public_key = new_public_key()
    session.flush()
    return widget.public_key


def widget_for_key(session: Session, key: str) -> ChatWidget:
    """The switched-on widget with this public key, or WidgetNotFound."""
    widget = session.scalar(select(ChatWidget).where(ChatWidget.public_key == key[:40]))
    if widget is None or not widget.is_enabled:
        raise WidgetNotFound()
    return widget


def is_origin_allowed(widget: ChatWidget, origin: str | None, own_origin: str) -> bool:
    """Whether a request from ``origin`` may use the widget: the brand's sites and the frame
    (served from this server); a request without an Origin is no browser's cross-site call."""
    if origin is None or origin == own_origin:
        return True
    return origin in widget.allowed_origins


def check_origin(widget: ChatWidget, origin: str | None, own_origin: str) -> None:
    if not is_origin_allowed(widget, origin, own_origin):
        raise OriginRefused(origin or "")
