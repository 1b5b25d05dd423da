"""The text of a mail: HTML sanitised and turned into text, quoted history stripped."""

import functools
import re
from html.parser import HTMLParser

import nh3
from mailparser_reply import EmailReplyParser  # type: ignore[import-untyped,unused-ignore]

# Languages mail-parser-reply knows the "On <date>, <name> wrote:" lines of.
QUOTE_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "da", "sv", "pl", "cs")
BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
)
ALLOWED_TAGS = BLOCK_TAGS | {"blockquote", "td", "th", "a", "b", "i", "strong", "em", "span"}
# Where mail clients start the quoted history in HTML (Gmail, Outlook, Thunderbird, Apple).
HISTORY_MARKERS = frozenset({"gmail_quote", "divrplyfwdmsg", "moz-cite-prefix", "appendonsend"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


def clean_text(text: str) -> str:
    """Text safe to store: no NUL or other control characters, tidy line ends."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


class _TextOfHtml(HTMLParser):
    """Sanitised HTML to text: blocks become lines, quoted history is left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.quote_depth = 0
        self.is_history = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {(value or "").lower() for key, value in attrs if key in {"class", "id"}}
        classes = {word for name in names for word in name.split()}
        if classes & HISTORY_MARKERS:
            self.is_history = True
        if tag == "blockquote":
            self.quote_depth += 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
        if tag in BLOCK_TAGS and tag not in {"li", "tr"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.is_history and not self.quote_depth:
            # Line breaks in HTML source are spaces; blocks and <br> make the lines.
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """The text of an HTML mail: sanitised by nh3 first, then read without quoted history."""
    safe = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={"div": {"class", "id"}, "span": {"class"}, "blockquote": {"class"}},
        clean_content_tags={"script", "style", "head", "title"},
        link_rel=None,
    )
    reader = _TextOfHtml()
    reader.feed(safe)
    reader.close()
    lines = (line.strip() for line in "".join(reader.parts).split("\n"))
    return clean_text("\n".join(lines))


@functools.lru_cache(maxsize=1)
def _reply_parser() -> EmailReplyParser:
    return EmailReplyParser(languages=list(QUOTE_LANGUAGES))


def strip_quoted(text: str) -> str:
    """The new part of a reply: quoted history and "On ... wrote:" lines left out.

    A mail that is all quotation keeps its whole text, so nothing the customer sent is lost.
    """
    try:
        latest = _reply_parser().parse_reply(text=text)
    except (ValueError, IndexError, RecursionError):
        return text
    latest = clean_text(_without_trailing_quote(latest))
    return latest or text


def _without_trailing_quote(text: str) -> str:
    """Drop a ``>``-quoted block at the end (clients that quote without an "On ... wrote:")."""
    lines = text.splitlines()
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    return "\n".join(lines) if lines else text
