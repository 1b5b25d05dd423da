from sqlalchemy.orm import Session

from gigcx.auth.enums import Role
from gigcx.auth.principal import Principal
from gigcx.brands.models import Brand
from gigcx.experts.compliance import service as compliance_service
from gigcx.experts.compliance.models import Agreement
from gigcx.experts.compliance.schemas import AgreementCreate, BrandComplianceUpdate
from tests.factories.brands import brand_admin

PLATFORM_ADMIN = Principal(role=Role.PLATFORM_ADMIN)


def publish(session: Session, brand: Brand | None = None, *, body: str = "# Terms\n") -> Agreement:
    """Publish a new version of the platform terms (no brand) or of a brand's agreement."""
    principal = PLATFORM_ADMIN if brand is None else brand_admin(brand)
    title = "Platform terms" if brand is None else f"{brand.name} contractor agreement"
    return compliance_service.publish_agreement(
        session,
        principal,
        brand_id=None if brand is None else brand.id,
        data=AgreementCreate(title=title, body=body),
    )


def set_rules(session: Session, brand: Brand, **rules: object) -> None:
    compliance_service.update_brand_compliance(
        session, brand_admin(brand), brand.id, BrandComplianceUpdate.model_validate(rules)
    )
