"""Payout methods: where an expert's payouts go, entered by the expert, shown masked."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from gigcx.auth.principal import Principal
from gigcx.brands.models import Program
from gigcx.db.helpers import insert_or_get
from gigcx.errors import PermissionDenied
from gigcx.experts.models import Enrollment
from gigcx.kit import clock
from gigcx.payments.enums import PayoutMethodKind
from gigcx.payments.errors import InvalidPayoutMethod
from gigcx.payments.models import PayoutMethod
from gigcx.privacy.pii import iban_valid

KIND_NAMES = {
    PayoutMethodKind.BANK_TRANSFER: "Bank transfer",
    PayoutMethodKind.PAYPAL: "PayPal",
}
HIDDEN = "\N{BULLET}" * 4


@dataclass(frozen=True, slots=True)
class PayoutMethodView:
    """A payout method as people see it: the IBAN by its last four characters only."""

    kind: PayoutMethodKind
    kind_name: str
    account_holder: str
    iban_last4: str
    paypal_email: str
    updated_at: datetime

    @property
    def summary(self) -> str:
        """One line: "Bank transfer, IBAN ····1234 (Ana Example)" or "PayPal a···@example.com"."""
        if self.kind == PayoutMethodKind.BANK_TRANSFER:
            return f"{self.kind_name}, IBAN {HIDDEN}{self.iban_last4} ({self.account_holder})"
        return f"{self.kind_name} {self.paypal_email}"


def mask_email(email: str) -> str:
    """Keep the first character of the local part and the domain: a···@example.com."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}{HIDDEN}@{domain}"


def _view(method: PayoutMethod, *, is_owner: bool) -> PayoutMethodView:
    kind = PayoutMethodKind(method.kind)
    return PayoutMethodView(
        kind=kind,
        kind_name=KIND_NAMES[kind],
        account_holder=method.account_holder,
        iban_last4=method.iban[-4:],
        paypal_email=method.paypal_email if is_owner else mask_email(method.paypal_email),
        updated_at=method.updated_at,
    )


def may_read_pay_details(session: Session, principal: Principal, expert_id: uuid.UUID) -> bool:
    if principal.is_platform_admin or principal.is_system:
        return True
    if principal.is_expert:
        return principal.expert_id == expert_id
    if principal.is_brand_staff and principal.brand_id is not None:
        # Brands see whether (and how, masked) the experts who work for them are paid.
        works_here = (
            select(Enrollment.id)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.expert_id == expert_id, Program.brand_id == principal.brand_id)
        )
        return session.scalar(works_here.limit(1)) is not None
    return False


def payout_method_of(
    session: Session, principal: Principal, expert_id: uuid.UUID
) -> PayoutMethodView | None:
    """The expert's payout method as this principal may see it, or None if there is none."""
    if not may_read_pay_details(session, principal, expert_id):
        raise PermissionDenied("you cannot see this expert's payout method")
    method = session.scalar(select(PayoutMethod).where(PayoutMethod.expert_id == expert_id))
    if method is None:
        return None
    return _view(method, is_owner=principal.is_expert and principal.expert_id == expert_id)


def experts_with_methods(session: Session) -> set[uuid.UUID]:
    """The experts who have a payout method."""
    return set(session.scalars(select(PayoutMethod.expert_id)))


def normalized_iban(text: str) -> str:
    return "".join(text.split()).upper()


def _checked(
    kind: str, account_holder: str, iban: str, paypal_email: str
) -> tuple[PayoutMethodKind, str, str, str]:
    try:
        chosen = PayoutMethodKind(kind)
    except ValueError:
        raise InvalidPayoutMethod(
            "kind", "Choose how you are paid: bank_transfer (IBAN) or paypal (an email address)."
        ) from None
    if chosen == PayoutMethodKind.PAYPAL:
        address = paypal_email.strip()
        if not address:
            raise InvalidPayoutMethod("paypal_email", "Enter the email address of your PayPal.")
        try:
            checked = validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            raise InvalidPayoutMethod(
                "paypal_email",
                "This is not an email address; write it as name@example.com.",
            ) from None
        return chosen, "", "", checked.normalized
    holder = " ".join(account_holder.split())
    if not holder:
        raise InvalidPayoutMethod(
            "account_holder", "Enter the account holder's name as the bank knows it."
        )
    if len(holder) > 120:
        raise InvalidPayoutMethod("account_holder", "Shorten the name to 120 characters.")
    number = normalized_iban(iban)
    if not number:
        raise InvalidPayoutMethod("iban", "Enter the IBAN of the account to pay.")
    if not number.isalnum() or not iban_valid(number):
        raise InvalidPayoutMethod(
            "iban",
            "This IBAN is not valid (its check digits do not match); copy it again from "
            "your bank, for example DE89 3704 0044 0532 0130 00.",
        )
    return chosen, holder, number, ""


def set_payout_method(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    account_holder: str = "",
    iban: str = "",
    paypal_email: str = "",
) -> PayoutMethodView:
    """Store where the signed-in expert's payouts go, replacing any earlier method."""
    if not principal.is_expert or principal.expert_id is None:
        raise PermissionDenied("only experts enter a payout method, for themselves")
    chosen, holder, number, address = _checked(kind, account_holder, iban, paypal_email)
    expert_id = principal.expert_id

    def find() -> PayoutMethod | None:
        return session.scalar(select(PayoutMethod).where(PayoutMethod.expert_id == expert_id))

    now = clock.now()
    existing = find()
    if existing is not None:
        method = existing
    else:
        # Two first saves at once: one inserts, the other updates what it wrote.
        method, _ = insert_or_get(
            session,
            PayoutMethod(
                expert_id=expert_id,
                kind=chosen,
                account_holder=holder,
                iban=number,
                paypal_email=address,
                updated_at=now,
            ),
            find,
        )
    method.kind = chosen
    method.account_holder = holder
    method.iban = number
    method.paypal_email = address
    method.updated_at = now
    session.flush()
    return _view(method, is_owner=True)
