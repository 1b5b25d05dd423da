"""Which language a text is written in, among the languages a program serves."""

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # lingua's models load on first use, not when a server process starts.
    from lingua import Language, LanguageDetector

UNKNOWN = "unknown"
MODEL_VERSION = "lingua-2"
# Below this many letters or words a guess is noise; say so instead of guessing.
MIN_LETTERS = 12
MIN_WORDS = 2
COMMON = ("en", "de", "fr", "es", "it", "pt", "nl")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _language(code: str) -> "Language | None":
    from lingua import IsoCode639_1, Language

    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code.lower()))
    except (ValueError, AttributeError):
        return None


@functools.lru_cache(maxsize=64)
def _detector(codes: tuple[str, ...]) -> "LanguageDetector | None":
    from lingua import LanguageDetectorBuilder

    languages = [language for code in codes if (language := _language(code)) is not None]
    if len(languages) < 2:
        return None
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_minimum_relative_distance(0.05)
        .build()
    )


def is_supported(code: str) -> bool:
    """Whether the detector knows the ISO 639-1 language ``code``."""
    return _language(code) is not None


def detect(text: str, supported: Sequence[str]) -> str:
    """Return the ISO 639-1 code among ``supported``, or "unknown" for too short or unclear text."""
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS or sum(len(word) for word in words) < MIN_LETTERS:
        return UNKNOWN
    codes = tuple(sorted({code.lower() for code in supported if is_supported(code)}))
    if len(codes) == 1:
        # One served language: still tell it apart from others so a mismatch is visible.
        codes = tuple(sorted({*codes, *COMMON}))
    detector = _detector(codes)
    if detector is None:
        return UNKNOWN
    found = detector.detect_language_of(text)
    if found is None:
        return UNKNOWN
    code = found.iso_code_639_1.name.lower()
    return code if code in {c.lower() for c in supported} else UNKNOWN
