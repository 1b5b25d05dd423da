from enum import StrEnum


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    BRAND_ADMIN = "brand_admin"
    INHOUSE_AGENT = "inhouse_agent"
    EXPERT = "expert"
    API_KEY = "api_key"
    CUSTOMER = "customer"
    SYSTEM = "system"


BRAND_STAFF_ROLES = frozenset({Role.BRAND_ADMIN, Role.INHOUSE_AGENT, Role.API_KEY})
BRAND_MANAGER_ROLES = frozenset({Role.BRAND_ADMIN, Role.API_KEY})


class ApiScope(StrEnum):
    """What a brand API key may do."""

    # Create tickets, hand in inbound mail and customers' follow-ups; nothing else.
    INTAKE = "intake"
    # Read anything the brand can read (GET), change nothing.
    READ = "read"
    # Everything the brand's admins can do through the API.
    ADMIN = "admin"
