from gigcx.errors import Conflict, InvalidInput, NotFound


class EarningNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("earning not found")


class EarningNotReversible(Conflict):
    pass


class LedgerIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a ledger entry."""


class PayoutNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("payout not found; list payouts with GET /api/v1/payouts")


class InvalidWeek(InvalidInput):
    def __init__(self, text: str, *, reason: str = "") -> None:
        because = f" ({reason})" if reason else ""
        super().__init__(
            f"{text!r} is not an ISO week{because}; write it as YYYY-Www between 2000-W01 and "
            "2099-W52, for example 2026-W48"
        )


class WeekNotOver(Conflict):
    def __init__(self, week: str) -> None:
        super().__init__(f"week {week} has not ended yet; payouts run for finished weeks only")


class EscalationNotPayable(Conflict):
    pass


class BonusRuleNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("bonus rule not found")


class InvalidPayoutMethod(InvalidInput):
    """A payout method field that cannot be used; ``field`` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class PayoutMethodMissing(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "you have no payout method yet; enter one with PUT /api/v1/experts/me/payout-method "
            '(for example {"kind": "paypal", "paypal_email": "you@example.com"}); until then '
            "payouts hold your approved earnings"
        )


class InvalidTaxProfile(InvalidInput):
    """A tax profile field is missing or malformed; ``field`` names it for forms."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TaxProfileMissing(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "you have no tax profile yet; enter your W-9 or W-8BEN details with "
            "PUT /api/v1/experts/me/tax-profile"
        )


class InvalidTaxYear(InvalidInput):
    def __init__(self, year: int) -> None:
        super().__init__(f"{year} is not a year that can be reported; use 2000 to 2099")
