"""Fixtures of the inbound mail tests: a brand's mailbox, and the Dovecot IMAP server."""

import pytest
from sqlalchemy.orm import Session

from tests.channels.email_in.helpers import Desk, make_desk
from tests.servers.imap import imap_server

__all__ = ["imap_server"]


@pytest.fixture
def desk(session: Session) -> Desk:
    return make_desk(session)
