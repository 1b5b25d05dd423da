"""Import every domain's job handlers so the runner knows them."""

from gigcx.assist import tasks as assist_tasks
from gigcx.channels import tasks as channels_tasks
from gigcx.demo import tasks as demo_tasks
from gigcx.jobs import tasks as jobs_tasks
from gigcx.payments import tasks as payments_tasks
from gigcx.planning import tasks as planning_tasks
from gigcx.planning.simulation import tasks as simulation_tasks
from gigcx.privacy import audit_tasks
from gigcx.quality import tasks as quality_tasks
from gigcx.rights import tasks as rights_tasks
from gigcx.routing import tasks as routing_tasks
from gigcx.tickets import tasks as tickets_tasks
from gigcx.training import tasks as training_tasks

__all__ = [
    "assist_tasks",
    "audit_tasks",
    "channels_tasks",
    "demo_tasks",
    "jobs_tasks",
    "payments_tasks",
    "planning_tasks",
    "quality_tasks",
    "rights_tasks",
    "routing_tasks",
    "simulation_tasks",
    "tickets_tasks",
    "training_tasks",
]
