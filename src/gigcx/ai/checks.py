"""Pre-send checks on a reply: PII the customer did not give, forbidden phrases, tone, language."""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from gigcx.ai import language, sentiment
from gigcx.privacy import pii

PII_LEAK = "pii_leak"
FORBIDDEN_PHRASE = "forbidden_phrase"
NEGATIVE_TONE = "negative_tone"
LANGUAGE_MISMATCH = "language_mismatch"
ALL_CHECKS = (PII_LEAK, FORBIDDEN_PHRASE, NEGATIVE_TONE, LANGUAGE_MISMATCH)
KIND_WORDS = {
    pii.PiiKind.EMAIL: "an email address",
    pii.PiiKind.PHONE: "a phone number",
    pii.PiiKind.CARD: "a card number",
    pii.PiiKind.IBAN: "an IBAN",
    pii.PiiKind.ADDRESS: "an address",
    pii.PiiKind.NAME: "a name",
}
# Not a fault of the reply: a check that could not run says so instead of passing silently.
TONE_NOT_CHECKED = "tone_not_checked"


@dataclass(frozen=True)
class Finding:
    check: str
    message: str
    is_notice: bool = False  # information only: never blocks, never asks "send anyway"


def _normalise(value: str) -> str:
    return re.sub(r"[\s()./-]", "", value).lower()


def check_reply(
    reply: str,
    *,
    customer_texts: Sequence[str],
    customer_language: str,
    languages: Sequence[str],
    forbidden_phrases: Sequence[str] = (),
    masked_kinds: Collection[str] = (),
) -> list[Finding]:
    """Return what is wrong with a reply before it is sent; empty when all is well.

    Personal data of a kind the writer sees masked (``masked_kinds``) is always a finding;
    other personal data is one when the customer did not give it.
    """
    findings = []
    given = {_normalise(span.text) for text in customer_texts for span in pii.find(text)}
    for span in pii.find(reply):
        if span.kind is pii.PiiKind.NAME:
            continue
        words = KIND_WORDS[span.kind]
        if span.kind.value in masked_kinds:
            # Never compared with the customer's data: the answer would tell the writer whether
            # a guess at a masked value was right.
            findings.append(
                Finding(PII_LEAK, f"the reply contains {words}, which this program masks for you")
            )
        elif _normalise(span.text) not in given:
            findings.append(
                Finding(PII_LEAK, f"the reply contains {words} the customer did not give")
            )
    lowered = reply.lower()
    for phrase in forbidden_phrases:
        if phrase.strip() and phrase.strip().lower() in lowered:
            findings.append(
                Finding(FORBIDDEN_PHRASE, f"the brand does not allow the phrase {phrase.strip()!r}")
            )
    reply_language = language.detect(reply, [*language.COMMON, *languages, customer_language])
    mood = sentiment.analyse(reply, reply_language)
    if mood.score is not None and mood.score <= sentiment.STRONGLY_NEGATIVE_BELOW:
        findings.append(Finding(NEGATIVE_TONE, f"the tone reads strongly negative ({mood.score})"))
    if (
        customer_language != language.UNKNOWN
        and reply_language != language.UNKNOWN
        and reply_language != customer_language
    ):
        findings.append(
            Finding(
                LANGUAGE_MISMATCH,
                f"the reply is in {reply_language} but the customer wrote in {customer_language}",
            )
        )
    tone_language = customer_language if reply_language == language.UNKNOWN else reply_language
    if tone_language != language.UNKNOWN and not sentiment.is_available(tone_language):
        findings.append(
            Finding(
                TONE_NOT_CHECKED,
                f"the tone was not checked: there is no sentiment model for {tone_language}",
                is_notice=True,
            )
        )
    return findings
