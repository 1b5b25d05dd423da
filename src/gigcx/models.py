"""Import every domain's tables so the metadata is complete (Alembic, tests)."""

from gigcx.assist import models as assist_models
from gigcx.audit import models as audit_models
from gigcx.auth import models as auth_models
from gigcx.brands import models as brands_models
from gigcx.channels.chat import models as chat_models
from gigcx.channels.community import models as community_models
from gigcx.channels.email import models as email_models
from gigcx.channels.helpdesk import models as helpdesk_models
from gigcx.channels.sso import models as sso_models
from gigcx.channels.webhooks import models as webhooks_models
from gigcx.db.base import Base
from gigcx.experts import models as experts_models
from gigcx.experts.compliance import models as compliance_models
from gigcx.jobs import models as jobs_models
from gigcx.payments import models as payments_models
from gigcx.planning import cost_models as planning_cost_models
from gigcx.planning import models as planning_models
from gigcx.planning.simulation import models as simulation_models
from gigcx.privacy import models as privacy_models
from gigcx.quality import models as quality_models
from gigcx.rights import models as rights_models
from gigcx.routing import models as routing_models
from gigcx.tickets import models as tickets_models
from gigcx.training import models as training_models

metadata = Base.metadata

__all__ = [
    "assist_models",
    "audit_models",
    "auth_models",
    "brands_models",
    "chat_models",
    "community_models",
    "compliance_models",
    "email_models",
    "experts_models",
    "helpdesk_models",
    "jobs_models",
    "metadata",
    "payments_models",
    "planning_cost_models",
    "planning_models",
    "privacy_models",
    "quality_models",
    "rights_models",
    "routing_models",
    "simulation_models",
    "sso_models",
    "tickets_models",
    "training_models",
    "webhooks_models",
]
