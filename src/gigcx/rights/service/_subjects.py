"""Find the person a request is about, and name them without keeping their email."""

import hashlib
import hmac
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gigcx.config import get_secret_key
from gigcx.experts.models import Expert
from gigcx.rights.errors import SubjectNotFound
from gigcx.tickets import queries as tickets_queries
from gigcx.tickets.models import Customer

ERASED = "[erased]"


def email_hash(email: str) -> str:
    """A keyed hash of the normalised email: requests and audit name a person by it."""
    key = get_secret_key().encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def erased_email(subject_id: uuid.UUID) -> str:
    """The address an erased person is left with (``.invalid`` can never receive mail)."""
    return f"erased-{subject_id.hex}@erased.invalid"


def find_customer(session: Session, *, brand_id: uuid.UUID, email: str) -> Customer:
    """The brand's customer with this email, or a 404 that says how to find them."""
    customer = tickets_queries.customer_by_email(session, brand_id=brand_id, email=email)
    if customer is None:
        raise SubjectNotFound(
            "no customer of this brand writes from that email address; check the spelling, "
            "or search the tickets for the address they used"
        )
    return customer


def find_expert(session: Session, *, email: str) -> Expert:
    """The expert with this email, or a 404."""
    expert = session.scalar(select(Expert).where(func.lower(Expert.email) == email.strip().lower()))
    if expert is None:
        raise SubjectNotFound("no expert has that email address; check the spelling")
    return expert
