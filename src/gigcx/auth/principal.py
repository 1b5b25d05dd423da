"""Who is acting: every service that reads or changes tenant data is given one."""

import uuid
from dataclasses import dataclass

from gigcx.auth.enums import BRAND_MANAGER_ROLES, BRAND_STAFF_ROLES, ApiScope, Role


@dataclass(frozen=True)
class Principal:
    role: Role
    user_id: uuid.UUID | None = None
    brand_id: uuid.UUID | None = None
    expert_id: uuid.UUID | None = None
    api_key_id: uuid.UUID | None = None
    # A customer acting through a private ticket link (no sign-in).
    customer_id: uuid.UUID | None = None
    # What an API key may do; None for everyone else (gigcx.api.deps enforces it).
    api_scope: ApiScope | None = None

    @property
    def actor_id(self) -> uuid.UUID | None:
        return self.user_id or self.api_key_id or self.customer_id

    @property
    def is_platform_admin(self) -> bool:
        return self.role is Role.PLATFORM_ADMIN

    @property
    def is_system(self) -> bool:
        return self.role is Role.SYSTEM

    @property
    def is_expert(self) -> bool:
        return self.role is Role.EXPERT

    @property
    def is_customer(self) -> bool:
        return self.role is Role.CUSTOMER

    @property
    def can_speak_for_customers(self) -> bool:
        """Intake, follow-ups and ratings: the customer, or the brand on their behalf."""
        return self.is_brand_staff or self.is_customer or self.is_platform_admin or self.is_system

    @property
    def is_brand_staff(self) -> bool:
        return self.role in BRAND_STAFF_ROLES

    @property
    def can_manage_brand(self) -> bool:
        return self.role in BRAND_MANAGER_ROLES

    def can_see_brand(self, brand_id: uuid.UUID) -> bool:
        """Return whether this principal may read the brand's data."""
        if self.is_platform_admin or self.is_system:
            return True
        return self.is_brand_staff and self.brand_id == brand_id


SYSTEM = Principal(role=Role.SYSTEM)
