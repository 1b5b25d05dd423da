"""Encryption at rest of registered columns: the value format and the registry.

A value is sealed with AES-256-GCM under its brand's data key, with a random 96-bit nonce and
``<table>:<column>:<row id>`` as associated data, and stored as ``v1:<key id>:<base64(nonce +
ciphertext)>`` (bytes columns: ``b"v1:<key id>:" + nonce + ciphertext``; JSON columns: the
sealed JSON text as a JSON string). A value copied to another row or column, or altered, does
not open. Empty strings and bytes are stored as they are.

Mark columns encrypted next to their model with ``encrypt_columns`` (see ``gigcx.privacy.orm``
for how the ORM seals and opens them); ``registry()`` lists every encrypted column.
"""

import base64
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidTag
from sqlalchemy import JSON, Connection, FromClause, LargeBinary, Table

from gigcx.privacy import keys
from gigcx.privacy.errors import DecryptionFailed, KeyringError

PREFIX = "v1"


class Classification(StrEnum):
    PERSONAL = "personal"  # a customer's identity: email, name, phone, mail addresses
    MESSAGE = "message"  # what customers and experts wrote: bodies, subjects, raw mail, files
    SECRET = "secret"  # noqa: S105 (a classification, not a password); credentials of integrations: tokens, passwords, signing secrets
    FINANCIAL = "financial"  # experts' payout and tax details


class Kind(StrEnum):
    TEXT = "text"
    BYTES = "bytes"
    JSON = "json"


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted column."""

    model: type[Any]
    table: str
    column: str
    key: str  # the mapped attribute's name
    kind: Kind
    classification: Classification


@dataclass(frozen=True)
class BrandOf:
    """Where a row's brand comes from: its own column, a parent row, or none (platform key)."""

    column: str | None = None
    parent: FromClause | None = None


@dataclass
class EncryptedModel:
    model: type[Any]
    table: Table
    brand: BrandOf
    columns: list[EncryptedColumn] = field(default_factory=list)
    # blind index attribute -> the encrypted attribute it indexes
    blind_indexes: dict[str, str] = field(default_factory=dict)


_REGISTRY: dict[type[Any], EncryptedModel] = {}


def registry() -> list[EncryptedColumn]:
    """Every encrypted column (complete once ``gigcx.models`` is imported)."""
    return [column for spec in _REGISTRY.values() for column in spec.columns]


def encrypted_models() -> Iterator[EncryptedModel]:
    yield from _REGISTRY.values()


def spec_of(model: type[Any]) -> EncryptedModel | None:
    return _REGISTRY.get(model)


def aad(table: str, column: str, row_id: object) -> bytes:
    """The associated data that binds a value to its place."""
    return f"{table}:{column}:{row_id}".encode()


def seal(connection: Connection, key_id: str, value: Any, kind: Kind, associated: bytes) -> Any:
    """Encrypt ``value`` for its place (``associated``) under data key ``key_id``."""
    if value is None or (kind is not Kind.JSON and len(value) == 0):
        return value
    if kind is Kind.JSON:
        plain = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    elif kind is Kind.TEXT:
        plain = value.encode()
    else:
        plain = bytes(value)
    nonce = secrets.token_bytes(keys.NONCE_BYTES)
    sealed = nonce + keys.cipher(connection, key_id).encrypt(nonce, plain, associated)
    if kind is Kind.BYTES:
        return f"{PREFIX}:{key_id}:".encode() + sealed
    return f"{PREFIX}:{key_id}:{base64.b64encode(sealed).decode()}"


def key_id_of(stored: Any) -> str | None:
    """The data key id a stored value names (None: empty or not sealed)."""
    if isinstance(stored, bytes | bytearray | memoryview):
        head = bytes(stored[:40]).split(b":", 2)
        return head[1].decode() if len(head) == 3 and head[0] == PREFIX.encode() else None
    if isinstance(stored, str):
        parts = stored.split(":", 2)
        return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None
    return None


def unseal(connection: Connection, stored: Any, kind: Kind, associated: bytes) -> Any:
    """Decrypt a stored value; raise ``DecryptionFailed`` if it is altered or misplaced."""
    if stored is None or (kind is not Kind.JSON and len(stored) == 0):
        return bytes(stored) if isinstance(stored, memoryview) else stored
    place = associated.decode()
    if isinstance(stored, bytes | bytearray | memoryview):
        pieces = bytes(stored).split(b":", 2)
        if len(pieces) != 3 or pieces[0] != PREFIX.encode():
            raise DecryptionFailed(f"{place}: the stored value is not encrypted")
        key, sealed = pieces[1].decode(), pieces[2]
    else:
        parts = str(stored).split(":", 2)
        if len(parts) != 3 or parts[0] != PREFIX:
            raise DecryptionFailed(f"{place}: the stored value is not encrypted")
        key = parts[1]
        try:
            sealed = base64.b64decode(parts[2], validate=True)
        except ValueError as error:
            raise DecryptionFailed(f"{place}: the stored value is not valid base64") from error
    try:
        plain = keys.cipher(connection, key).decrypt(
            sealed[: keys.NONCE_BYTES], sealed[keys.NONCE_BYTES :], associated
        )
    except InvalidTag as error:
        raise DecryptionFailed(
            f"{place} does not decrypt with data key {key}: the value was altered, or copied "
            "from another row or column"
        ) from error
    except KeyringError as error:
        raise DecryptionFailed(f"{place}: {error}") from error
    if kind is Kind.BYTES:
        return plain
    if kind is Kind.JSON:
        return json.loads(plain)
    return plain.decode()


def kind_of(column_type: Any) -> Kind:
    if isinstance(column_type, LargeBinary):
        return Kind.BYTES
    if isinstance(column_type, JSON):
        return Kind.JSON
    return Kind.TEXT


def register(
    model: type[Any],
    *,
    brand: BrandOf,
    columns: dict[str, Classification],
    blind_indexes: dict[str, str] | None = None,
) -> EncryptedModel:
    """Record ``model``'s encrypted columns (``gigcx.privacy.orm.encrypt_columns`` wires them)."""
    table: Table = model.__table__
    spec = EncryptedModel(model, table, brand, blind_indexes=dict(blind_indexes or {}))
    for key, classification in columns.items():
        column = model.__mapper__.columns[key]
        spec.columns.append(
            EncryptedColumn(
                model, table.name, column.name, key, kind_of(column.type), classification
            )
        )
    _REGISTRY[model] = spec
    return spec
