from gigcx.errors import DomainError


class SsoFailed(DomainError):
    """A single sign-on that cannot go on; the detail says why in plain words."""

    status_code = 403


class SsoProviderFailed(SsoFailed):
    """The brand's provider could not be reached or answered something unusable."""

    status_code = 502


class SsoNotConfigured(SsoFailed):
    status_code = 404
