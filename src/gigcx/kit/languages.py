"""Language names, so people pick "German" from a list instead of typing "de"."""

from collections.abc import Iterable

# English names of the languages programs serve most; a code not listed here shows as itself.
LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "en-gb": "English (UK)",
    "en-us": "English (US)",
    "es": "Spanish",
    "es-mx": "Spanish (Mexico)",
    "et": "Estonian",
    "fi": "Finnish",
    "fil": "Filipino",
    "fr": "French",
    "fr-ca": "French (Canada)",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "pt-br": "Portuguese (Brazil)",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


def language_name(code: str) -> str:
    """The English name of a language code ("de" -> "German"); unknown codes as written."""
    return LANGUAGE_NAMES.get(code.lower(), code)


def language_list(codes: Iterable[str]) -> str:
    """Names joined for a sentence: "German", "English or German", "English, French or German"."""
    names = [language_name(code) for code in codes]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"
