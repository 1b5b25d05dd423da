from typing import Any

from sqlalchemy.orm import Session

from gigcx.jobs.registry import handler
from gigcx.training import service as training_service


@handler("training.warn_expiring")
def warn_expiring(session: Session, payload: dict[str, Any]) -> None:
    """Warn experts whose certification runs out within 14 days; a second run warns nobody."""
    training_service.warn_expiring(session)
