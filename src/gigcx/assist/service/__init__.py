"""AI on tickets: triage, the bot, suggestions, best answers, reply checks."""

from gigcx.assist.service._answers import (
    create_answer,
    get_answer,
    list_answers,
    propose_best_answer,
    review_answer,
)
from gigcx.assist.service._bot import (
    approved_answer_for,
    bot_attempt_of,
    confirm_bot_answer,
    mark_bot_answer_rejected,
    reject_bot_answer,
    settle_bot_answer,
    try_bot_answer,
)
from gigcx.assist.service._drafting import (
    DraftRequest,
    language_model,
    prepare_draft,
    write_draft,
)
from gigcx.assist.service._flow import triage_and_route
from gigcx.assist.service._models import (
    Examples,
    evaluate_model,
    examples_from_tickets,
    guess_category,
    has_model,
    latest_record,
    model_for,
    read_csv,
    train_model,
)
from gigcx.assist.service._settings import settings_for, update_settings
from gigcx.assist.service._suggest import Suggestion, edit_ratio, record_insert, suggest
from gigcx.assist.service._triage import (
    readable_triage,
    routes_after_triage,
    triage_of,
    triage_ticket,
)
from gigcx.assist.service._workspace import (
    CheckedFinding,
    ShownMessage,
    check_reply,
    send_reply,
    shown_messages,
)

__all__ = [
    "CheckedFinding",
    "DraftRequest",
    "Examples",
    "ShownMessage",
    "Suggestion",
    "approved_answer_for",
    "bot_attempt_of",
    "check_reply",
    "confirm_bot_answer",
    "create_answer",
    "edit_ratio",
    "evaluate_model",
    "examples_from_tickets",
    "get_answer",
    "guess_category",
    "has_model",
    "language_model",
    "latest_record",
    "list_answers",
    "mark_bot_answer_rejected",
    "model_for",
    "prepare_draft",
    "propose_best_answer",
    "read_csv",
    "readable_triage",
    "record_insert",
    "reject_bot_answer",
    "review_answer",
    "routes_after_triage",
    "send_reply",
    "settings_for",
    "settle_bot_answer",
    "shown_messages",
    "suggest",
    "train_model",
    "triage_and_route",
    "triage_of",
    "triage_ticket",
    "try_bot_answer",
    "update_settings",
    "write_draft",
]
