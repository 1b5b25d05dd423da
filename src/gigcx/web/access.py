"""Who may open which part of the console: the one rule the routes enforce and the nav follows."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from gigcx.auth.principal import Principal
from gigcx.errors import PermissionDenied


class Area(StrEnum):
    CONSOLE = "console"  # the brand console: brand staff and platform admins
    MANAGE = "manage"  # changing a brand's setup: its admins
    PLATFORM = "platform"  # the platform's brands: platform admins


_RULES: dict[Area, Callable[[Principal], bool]] = {
    Area.CONSOLE: lambda user: user.is_brand_staff or user.is_platform_admin,
    Area.MANAGE: lambda user: user.can_manage_brand and user.brand_id is not None,
    Area.PLATFORM: lambda user: user.is_platform_admin,
}

_REFUSALS: dict[Area, str] = {
    Area.CONSOLE: "these pages are for brand staff",
    Area.MANAGE: "only the brand's admins can do this; ask one of them",
    Area.PLATFORM: "only platform admins manage brands",
}


def allows(user: Principal, area: Area) -> bool:
    """Return whether ``user`` may use ``area``."""
    return _RULES[area](user)


def require(user: Principal, area: Area) -> None:
    """Refuse with 403 unless ``user`` may use ``area``."""
    if not allows(user, area):
        raise PermissionDenied(_REFUSALS[area])


@dataclass(frozen=True)
class NavLink:
    path: str
    label: str
    area: Area
    is_exact: bool = False  # current only on this very path, not below it

    def is_current(self, here: str) -> bool:
        return here == self.path if self.is_exact else here.startswith(self.path)


NAV_LINKS = (
    NavLink("/brand", "Dashboard", Area.CONSOLE, is_exact=True),
    NavLink("/brand/queue", "Live queue", Area.CONSOLE),
    NavLink("/brand/tickets", "Tickets", Area.CONSOLE),
    NavLink("/brand/inhouse", "In-house queue", Area.CONSOLE),
    NavLink("/brand/answers", "Answers", Area.CONSOLE),
    NavLink("/brand/programs", "Programs", Area.CONSOLE),
    NavLink("/brand/pay", "Pay", Area.CONSOLE),
    NavLink("/brand/planning", "Planning", Area.CONSOLE),
    NavLink("/brand/experts", "Experts", Area.CONSOLE),
    NavLink("/brand/quality", "Quality & training", Area.CONSOLE),
    NavLink("/brand/announcements", "Announcements", Area.CONSOLE),
    NavLink("/brand/feedback", "Feedback", Area.CONSOLE),
    NavLink("/brand/staff", "Staff", Area.MANAGE),
    NavLink("/brand/api-keys", "API keys", Area.MANAGE),
    NavLink("/brand/mailboxes", "Mailboxes", Area.MANAGE),
    NavLink("/brand/webhooks", "Webhooks", Area.MANAGE),
    NavLink("/brand/zendesk", "Zendesk", Area.CONSOLE),
    NavLink("/brand/chat", "Live chat", Area.MANAGE),
    NavLink("/brand/sso", "Single sign-on", Area.MANAGE),
    NavLink("/brand/privacy", "Privacy", Area.MANAGE),
    NavLink("/brand/audit", "Audit log", Area.MANAGE),
    NavLink("/admin/brands", "Brands", Area.PLATFORM),
    NavLink("/brand/human-reviews", "Human reviews", Area.CONSOLE),
    NavLink("/brand/compliance", "Expert compliance", Area.CONSOLE),
    NavLink("/admin/terms", "Platform terms", Area.PLATFORM),
)


def nav_links(user: Principal | None) -> list[NavLink]:
    """The console links ``user`` may open."""
    if user is None:
        return []
    return [link for link in NAV_LINKS if allows(user, link.area)]
