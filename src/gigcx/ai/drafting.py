"""Reply drafts from an optional language model behind an OpenAI-compatible chat API.

Only masked text is sent: the caller masks every kind of personal data first. Any failure
(unreachable, an error status, an answer without text) is a ``DraftUnavailable`` that says what
happened; the expert then writes the reply without it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

MAX_TOKENS = 400
TEMPERATURE = 0.3


class DraftUnavailable(Exception):
    """The language model gave no draft; the message says why."""


@dataclass(frozen=True)
class LanguageModel:
    url: str  # the API's base URL, ending in /v1 for most servers
    model: str
    api_key: str = ""
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class Turn:
    author: str  # "customer" or "agent"
    text: str


@dataclass(frozen=True)
class Draft:
    body: str
    model: str


def instructions(program: str, language: str, references: Sequence[str]) -> str:
    """The system prompt: who is answering, in which language, from which approved answers."""
    lines = [
        f"You draft a reply for a support agent of {program}. The agent will read and edit it.",
        f"Write in the customer's language ({language}), friendly and brief, plain text.",
        "Personal data appears masked as [email], [phone] and so on; keep it masked and never "
        "invent order numbers, prices, dates or policies.",
    ]
    if references:
        lines.append("Base the reply on these approved answers where they fit:")
        lines += [f"- {text}" for text in references]
    return "\n".join(lines)


def request_body(llm: LanguageModel, system: str, conversation: Sequence[Turn]) -> dict[str, Any]:
    roles = {"customer": "user", "agent": "assistant"}
    messages = [{"role": "system", "content": system}]
    messages += [{"role": roles[turn.author], "content": turn.text} for turn in conversation]
    return {
        "model": llm.model,
        "messages": messages,
        "temperature": TEMPERATURE,
        "max_tokens": MAX_TOKENS,
    }


def draft_reply(
    llm: LanguageModel,
    *,
    program: str,
    language: str,
    conversation: Sequence[Turn],
    references: Sequence[str] = (),
) -> Draft:
    """Ask the language model for the agent's next reply to the conversation."""
    body = request_body(llm, instructions(program, language, references), conversation)
    headers = {"Authorization": f"Bearer {llm.api_key}"} if llm.api_key else {}
    url = llm.url.rstrip("/") + "/chat/completions"
    try:
        response = httpx.post(url, json=body, headers=headers, timeout=llm.timeout_seconds)
    except httpx.HTTPError as error:
        raise DraftUnavailable(
            f"the language model at {llm.url} did not answer ({error})"
        ) from None
    if response.status_code != 200:
        raise DraftUnavailable(
            f"the language model at {llm.url} answered HTTP {response.status_code}: "
            f"{response.text[:200]}"
        )
    return Draft(body=_content_of(response, llm.url), model=llm.model)


def _content_of(response: httpx.Response, url: str) -> str:
    try:
        payload = response.json()
        content = payload["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise DraftUnavailable(
            f"the language model at {url} answered without a chat completion"
        ) from None
    text = str(content or "").strip()
    if not text:
        raise DraftUnavailable(f"the language model at {url} answered with an empty draft")
    return text
