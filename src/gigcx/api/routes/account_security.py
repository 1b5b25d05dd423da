"""The signed-in user's second factor and sessions; a brand's rule for its admins."""

from fastapi import APIRouter, Request
from pydantic import Field

from gigcx.api.deps import AccountPrincipal, BrandManager, SessionDep
from gigcx.api.errors import ERROR_RESPONSES
from gigcx.auth import passwords
from gigcx.channels import account_security
from gigcx.kit.schemas import Schema

router = APIRouter(tags=["auth"], responses=ERROR_RESPONSES)


class SecondFactorRead(Schema):
    is_on: bool
    is_pending: bool
    recovery_codes_left: int
    is_required: bool


class TotpSetupRead(Schema):
    secret: str
    otpauth_uri: str


class CodeBody(Schema):
    code: str = Field(min_length=1, max_length=40)


class RecoveryCodesRead(Schema):
    recovery_codes: list[str]


class TurnOff(Schema):
    password: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=40)


class SignInRules(Schema):
    admins_need_second_factor: bool


@router.get("/auth/second-factor")
def second_factor_status(session: SessionDep, principal: AccountPrincipal) -> SecondFactorRead:
    """Whether the authenticator app is on, and how many recovery codes are left."""
    found = account_security.status(session, principal)
    return SecondFactorRead(
        is_on=found.is_on,
        is_pending=found.is_pending,
        recovery_codes_left=found.recovery_codes_left,
        is_required=found.is_required,
    )


@router.post("/auth/second-factor/setup", status_code=201)
def set_up_second_factor(session: SessionDep, principal: AccountPrincipal) -> TotpSetupRead:
    """Start setting up an authenticator app: enter the secret (or open the otpauth:// address)
    in the app, then confirm with a code from it. It is off until confirmed."""
    setup = account_security.start_totp(session, principal)
    return TotpSetupRead(secret=setup.secret, otpauth_uri=setup.otpauth_uri)


@router.post("/auth/second-factor/confirm")
def confirm_second_factor(
    session: SessionDep, principal: AccountPrincipal, body: CodeBody, request: Request
) -> RecoveryCodesRead:
    """Turn the app on with its current code. Answers the ten recovery codes, shown only now;
    every other session of the account ends."""
    _scheme, _, plain = request.headers.get("authorization", "").partition(" ")
    codes = account_security.confirm_totp(
        session,
        principal,
        body.code,
        keep_token_id=passwords.token_id_of(session, plain.strip()),
    )
    return RecoveryCodesRead(recovery_codes=codes)


@router.post("/auth/second-factor/disable", status_code=204)
def turn_off_second_factor(session: SessionDep, principal: AccountPrincipal, body: TurnOff) -> None:
    """Turn the app off with the password and a current code (or a recovery code)."""
    account_security.turn_off_totp(session, principal, password=body.password, code=body.code)


@router.post("/auth/sign-out-everywhere", status_code=204)
def sign_out_everywhere(session: SessionDep, principal: AccountPrincipal) -> None:
    """End every session of this account, this token included, in browsers and API clients."""
    account_security.sign_out_everywhere(session, principal)


@router.get("/sign-in-rules")
def sign_in_rules(session: SessionDep, principal: BrandManager) -> SignInRules:
    """The brand's sign-in rules (brand admins and API keys)."""
    brand = account_security.brand_of(session, principal)
    return SignInRules(admins_need_second_factor=brand.admins_need_second_factor)


@router.put("/sign-in-rules")
def set_sign_in_rules(
    session: SessionDep, principal: BrandManager, body: SignInRules
) -> SignInRules:
    """Say whether the brand's admins must sign in with a second factor."""
    brand = account_security.set_admin_rule(
        session, principal, is_required=body.admins_need_second_factor
    )
    return SignInRules(admins_need_second_factor=brand.admins_need_second_factor)
