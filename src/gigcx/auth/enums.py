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
