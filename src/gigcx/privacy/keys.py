"""The keyring: master keys (KEKs) and the data keys (DEKs) they wrap.

Values are encrypted with a data key: one per brand, one for rows of no brand. Data keys are
stored in ``data_keys`` wrapped by the primary master key (AES-256-GCM, bound to the data key's
id), or by a KMS through the ``kms_hook`` setting. Unwrapped data keys are cached per process
by id, so a value costs one AES-GCM call, never an unwrap.

A KMS hook is a callable ``hook(operation, data, *, kek_id)`` returning ``(kek_id, result)``:
``operation="wrap"`` gets a new data key (``kek_id`` None) and returns the id of the key that
wrapped it with the wrapped bytes; ``operation="unwrap"`` gets those bytes and that id and
returns the data key.
"""

import base64
import binascii
import hashlib
import hmac
import importlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, insert, select, update

from gigcx.config import get_settings
from gigcx.kit import clock
from gigcx.privacy.errors import KeyringError
from gigcx.privacy.models import DataKey

log = logging.getLogger(__name__)

KEY_BYTES = 32
NONCE_BYTES = 12
DEV_KEY_FILE = Path("var") / "encryption_keys"
DATA = "data"
INDEX = "index"
# The blind-index root key has a fixed id: two processes that make it at once collide on it.
INDEX_KEY_ID = "index-root"

KmsHook = Callable[..., tuple[str, bytes]]


@dataclass(frozen=True)
class MasterKeys:
    """The configured master keys; the first one wraps new data keys."""

    keys: dict[str, bytes]
    primary_id: str
    hook: KmsHook | None = None

    def wrap(self, key_id: str, material: bytes) -> tuple[str, str]:
        """Wrap a data key; return the id of the wrapping key and the wrapped key."""
        if self.hook is not None:
            kek_id, wrapped = self.hook("wrap", material, kek_id=None)
            return kek_id, base64.b64encode(wrapped).decode()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.primary_id]).encrypt(nonce, material, _wrap_aad(key_id))
        return self.primary_id, base64.b64encode(nonce + sealed).decode()

    def unwrap(self, key_id: str, kek_id: str, wrapped: str) -> bytes:
        """Unwrap a data key stored as ``wrapped`` under master key ``kek_id``."""
        blob = base64.b64decode(wrapped)
        if self.hook is not None and kek_id not in self.keys:
            return self.hook("unwrap", blob, kek_id=kek_id)[1]
        if kek_id not in self.keys:
            raise KeyringError(
                f"data key {key_id} is wrapped by master key {kek_id!r}, which is not configured: "
                f"add it to GIGCX_ENCRYPTION_KEYS (configured: {', '.join(self.keys)})"
            )
        try:
            return AESGCM(self.keys[kek_id]).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], _wrap_aad(key_id)
            )
        except Exception as error:
            raise KeyringError(
                f"data key {key_id} does not unwrap with master key {kek_id!r}: "
                "that key's bytes differ from the ones that wrapped it"
            ) from error


def _wrap_aad(key_id: str) -> bytes:
    return f"gigcx:data_keys:{key_id}".encode()


def generate_master_key(key_id: str | None = None) -> str:
    """A new master key written as ``<id>:<base64 of 32 random bytes>``."""
    name = key_id or f"k{clock.now():%Y%m%d%H%M}"
    return f"{name}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def parse_master_keys(text: str, *, source: str) -> dict[str, bytes]:
    """Read ``id:base64`` entries separated by commas or lines, in order."""
    keys: dict[str, bytes] = {}
    for entry in text.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, encoded = entry.partition(":")
        try:
            material = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise KeyringError(f"{source}: key {key_id!r} is not valid base64") from error
        if not key_id.strip() or len(material) != KEY_BYTES:
            raise KeyringError(
                f"{source}: write each key as <id>:<base64 of 32 bytes> "
                "(make one with `gigcx keys generate`)"
            )
        keys[key_id.strip()] = material
    return keys


def _load_hook(path: str) -> KmsHook:
    module_name, _, attribute = path.partition(":")
    try:
        hook = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise KeyringError(
            f"GIGCX_KMS_HOOK={path!r} names no callable; write it as module:function"
        ) from error
    if not callable(hook):
        raise KeyringError(f"GIGCX_KMS_HOOK={path!r} is not callable")
    return hook  # type: ignore[no-any-return]


def _dev_key_file() -> Path:
    try:
        with DEV_KEY_FILE.open("x") as new_file:
            new_file.write(generate_master_key("k1") + "\n")
        DEV_KEY_FILE.chmod(0o600)
        log.warning(
            "made a master key for encryption at rest in %s (development only: set "
            "GIGCX_ENCRYPTION_KEYS or GIGCX_KEY_FILE in production, and keep a copy)",
            DEV_KEY_FILE,
        )
    except FileExistsError:
        pass
    return DEV_KEY_FILE


@lru_cache
def master_keys() -> MasterKeys:
    """The master keys from the settings (environment, key file, or the development file)."""
    settings = get_settings()
    hook = _load_hook(settings.kms_hook) if settings.kms_hook else None
    if settings.encryption_keys:
        keys = parse_master_keys(settings.encryption_keys, source="GIGCX_ENCRYPTION_KEYS")
    elif settings.key_file:
        path = Path(settings.key_file)
        if not path.is_file():
            raise KeyringError(f"GIGCX_KEY_FILE={path} does not exist")
        keys = parse_master_keys(path.read_text(), source=str(path))
    elif hook is not None:
        keys = {}
    elif settings.database_url.startswith("sqlite"):
        path = _dev_key_file()
        keys = parse_master_keys(path.read_text(), source=str(path))
    else:
        raise KeyringError(
            "no master key for encryption at rest: set GIGCX_ENCRYPTION_KEYS "
            "(`gigcx keys generate` makes one) or GIGCX_KEY_FILE"
        )
    if not keys and hook is None:
        raise KeyringError("the configured master keys are empty")
    return MasterKeys(keys=keys, primary_id=next(iter(keys), ""), hook=hook)


def reset_caches() -> None:
    """Forget the master keys and unwrapped data keys (after the settings change)."""
    master_keys.cache_clear()
    _MATERIAL.clear()
    _CIPHERS.clear()


_MATERIAL: dict[str, bytes] = {}
_CIPHERS: dict[str, AESGCM] = {}


def new_key_id() -> str:
    return secrets.token_hex(6)


def create_data_key(
    connection: Connection, brand_id: uuid.UUID | None, *, purpose: str = DATA, key_id: str = ""
) -> str:
    """Make, wrap and store a new data key; return its id."""
    key_id = key_id or new_key_id()
    material = secrets.token_bytes(KEY_BYTES)
    kek_id, wrapped = master_keys().wrap(key_id, material)
    connection.execute(
        insert(DataKey).values(
            id=key_id,
            brand_id=brand_id,
            purpose=purpose,
            kek_id=kek_id,
            wrapped_key=wrapped,
            created_at=clock.now(),
        )
    )
    if purpose == DATA:
        # A data key is only used through its id, and ids are never reused; the index root is
        # found by its fixed id, so it is cached only once read back (committed).
        _MATERIAL[key_id] = material
    return key_id


def current_data_key_id(connection: Connection, brand_id: uuid.UUID | None) -> str | None:
    """The newest data key of the brand (None: of rows with no brand) that is not retired."""
    brand = DataKey.brand_id.is_(None) if brand_id is None else DataKey.brand_id == brand_id
    return connection.scalar(
        select(DataKey.id)
        .where(brand, DataKey.purpose == DATA, DataKey.retired_at.is_(None))
        .order_by(DataKey.created_at.desc(), DataKey.id)
        .limit(1)
    )


def key_material(connection: Connection, key_id: str) -> bytes:
    """The unwrapped data key ``key_id`` (cached per process)."""
    material = _MATERIAL.get(key_id)
    if material is None:
        row = connection.execute(
            select(DataKey.kek_id, DataKey.wrapped_key).where(DataKey.id == key_id)
        ).first()
        if row is None:
            raise KeyringError(f"data key {key_id} is not in data_keys")
        material = master_keys().unwrap(key_id, row.kek_id, row.wrapped_key)
        _MATERIAL[key_id] = material
    return material


def cipher(connection: Connection, key_id: str) -> AESGCM:
    """An AES-256-GCM cipher for data key ``key_id``."""
    found = _CIPHERS.get(key_id)
    if found is None:
        found = _CIPHERS[key_id] = AESGCM(key_material(connection, key_id))
    return found


def index_root(connection: Connection) -> bytes:
    """The root of the blind-index keys, made on first use."""
    if INDEX_KEY_ID not in _MATERIAL:
        exists = connection.scalar(select(DataKey.id).where(DataKey.id == INDEX_KEY_ID))
        if exists is None:
            create_data_key(connection, None, purpose=INDEX, key_id=INDEX_KEY_ID)
    return key_material(connection, INDEX_KEY_ID)


def brand_index_key(connection: Connection, brand_id: uuid.UUID | None) -> bytes:
    """The blind-index key of a brand, derived from the root and kept apart from data keys."""
    label = b"gigcx-blind-index:" + (brand_id.bytes if brand_id else b"platform")
    return hmac.new(index_root(connection), label, hashlib.sha256).digest()


def rewrap_data_keys(connection: Connection) -> int:
    """Wrap every data key under the primary master key (or the KMS); return how many."""
    keyring = master_keys()
    done = 0
    for row in connection.execute(select(DataKey.id, DataKey.kek_id, DataKey.wrapped_key)).all():
        if keyring.hook is None and row.kek_id == keyring.primary_id:
            continue
        material = keyring.unwrap(row.id, row.kek_id, row.wrapped_key)
        kek_id, wrapped = keyring.wrap(row.id, material)
        connection.execute(
            update(DataKey).where(DataKey.id == row.id).values(kek_id=kek_id, wrapped_key=wrapped)
        )
        done += 1
    return done
