"""What community mails share: the link to a page and the note on why the mail came."""

from gigcx.config import get_settings


def link(path: str) -> str:
    """An absolute link when GIGCX_BASE_URL is set, else the path to open on the platform."""
    base = get_settings().base_url.rstrip("/")
    return f"{base}{path}" if base else path


def why_footer(reason: str) -> str:
    return f"\n--\nYou get this mail because {reason}. Change it in your profile: " + link(
        "/expert/profile"
    )
