"""Errors of encryption at rest."""


class KeyringError(RuntimeError):
    """The master keys are missing or malformed, or a data key cannot be unwrapped."""


class DecryptionFailed(ValueError):
    """A stored value does not decrypt: altered, copied from another row or column, or its key
    is unknown."""
