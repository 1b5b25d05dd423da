"""The demo brands' contractor agreements, accepted by every demo expert when they apply.

The demo publishes no platform terms: those would bind every expert of the installation, also
those of real brands next to the demo.
"""

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.schemas import AgreementCreate
from gigcx.kit import clock

# Documentation addresses (RFC 5737): the demo's sign-ups came from nowhere real.
DEMO_ADDRESS = "192.0.2.10"

BRAND_AGREEMENT = """# {brand} contractor agreement (demo)

1. You answer {brand}'s customers as an independent contractor, following its guidelines.
2. {brand} pays per resolved task at the rates its programs publish up front.
3. You keep what you learn about customers confidential.
"""


def publish_brand_agreement(
    session: Session, admin: Principal, brand_id: uuid.UUID, brand: str, *, at: datetime
) -> None:
    with clock.travel_to(at):
        compliance_service.publish_agreement(
            session,
            admin,
            brand_id=brand_id,
            data=AgreementCreate(
                title=f"{brand} contractor agreement", body=BRAND_AGREEMENT.format(brand=brand)
            ),
        )


def accept_pending(
    session: Session, principal: Principal, expert_id: uuid.UUID, name: str, *, at: datetime
) -> None:
    """Accept, as the expert, every current agreement they have yet to accept."""
    with clock.travel_to(at):
        for agreement in compliance_service.pending_agreements(session, expert_id):
            compliance_service.accept_agreement(
                session, principal, agreement.id, full_name=name, client_address=DEMO_ADDRESS
            )
