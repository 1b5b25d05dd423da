"""How the ORM seals and opens encrypted columns.

A column type cannot see the row's id, which the associated data binds, so mapper events do
the work: before a row is written its changed encrypted attributes are sealed in place (and its
blind indexes computed), and put back in clear once written; when a row is loaded or refreshed
they are opened. Objects in memory always hold clear values and are never dirtied by this.

Reads that bypass objects (``select(Model.column)``) get sealed values: open them with
``open_column``. Core writes (``insert(Model)``, ``update(Model)``) of encrypted columns must
seal with ``seal_column``.
"""

import hashlib
import hmac
import time
import uuid
from typing import Any

from sqlalchemy import Connection, event, select
from sqlalchemy.orm import (
    InstanceState,
    Mapper,
    QueryableAttribute,
    Session,
    attributes,
    object_session,
)
from sqlalchemy.orm.attributes import set_committed_value

from gigcx.auth.models import User
from gigcx.kit.ids import new_id
from gigcx.privacy import keys, sealing
from gigcx.privacy.sealing import BrandOf, Classification, EncryptedModel

_KEYS = "gigcx_data_keys"
_SEALED = "gigcx_sealed"
# Parent rows never change brand: (table, id) -> brand id.
_PARENT_BRANDS: dict[tuple[str, Any], uuid.UUID | None] = {}
_PARENT_CACHE_SIZE = 50_000
# Brand -> the current data key this process read, and when (current_key_id's max_age).
_RECENT_KEYS: dict[uuid.UUID | None, tuple[str, float]] = {}
# Tables whose rows give their brand to encrypted child rows (BrandOf(..., parent=table)).
_PARENT_TABLES: set[str] = set()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def blind_index(connection: Connection, brand_id: uuid.UUID | None, value: str) -> str:
    """The keyed hash of a normalised email for lookups within one brand."""
    digest = hmac.new(
        keys.brand_index_key(connection, brand_id),
        normalise_email(value).encode(),
        hashlib.sha256,
    )
    return digest.hexdigest()


def email_index(session: Session, brand_id: uuid.UUID | None, email: str) -> str:
    """The blind index of ``email`` in ``brand_id``, to compare with an ``*_index`` column."""
    return blind_index(session.connection(), brand_id, email)


def current_key_id(session: Session, brand_id: uuid.UUID | None, *, max_age: float = 0.0) -> str:
    """The data key this unit of work seals the brand's values with (made on first use).

    With ``max_age`` the key this process read within that many seconds will do: a key retired
    since then still opens what it sealed, and a re-seal moves such values to the new key.
    """
    cache: dict[uuid.UUID | None, str] = session.info.setdefault(_KEYS, {})
    key_id = cache.get(brand_id)
    if key_id is None and max_age > 0:
        recent = _RECENT_KEYS.get(brand_id)
        if recent is not None and time.monotonic() - recent[1] < max_age:
            key_id = cache[brand_id] = recent[0]
    if key_id is None:
        connection = session.connection()
        key_id = keys.current_data_key_id(connection, brand_id)
        if key_id is not None:
            _RECENT_KEYS[brand_id] = (key_id, time.monotonic())
        else:
            # Not remembered for other units of work: this one may yet roll it back.
            key_id = keys.create_data_key(connection, brand_id)
        cache[brand_id] = key_id
    return key_id


def _brand_of(connection: Connection, spec: EncryptedModel, values: Any) -> uuid.UUID | None:
    brand = spec.brand
    if brand.column is not None and brand.parent is None:
        return getattr(values, brand.column)  # type: ignore[no-any-return]
    if brand.parent is None or brand.column is None:
        return None
    parent_id = getattr(values, brand.column)
    if parent_id is None:
        return None
    cache_key = (str(brand.parent), parent_id)
    if cache_key not in _PARENT_BRANDS:
        _remember_brand(
            cache_key,
            connection.scalar(
                select(brand.parent.c.brand_id).where(brand.parent.c.id == parent_id)
            ),
        )
    return _PARENT_BRANDS[cache_key]


def _remember_brand(cache_key: tuple[str, Any], brand_id: uuid.UUID | None) -> None:
    if len(_PARENT_BRANDS) > _PARENT_CACHE_SIZE:
        _PARENT_BRANDS.clear()
    _PARENT_BRANDS[cache_key] = brand_id


@event.listens_for(Mapper, "after_insert")
def _note_parent_brand(mapper: Mapper[Any], _connection: Connection, target: Any) -> None:
    # A child written in the same unit of work (a new ticket's first message) then reads
    # nothing to learn its brand.
    table = str(mapper.local_table)
    if table in _PARENT_TABLES and "brand_id" in mapper.columns:
        _remember_brand((table, target.id), target.brand_id)


def _seal_target(mapper: Mapper[Any], connection: Connection, target: Any, inserting: bool) -> None:
    spec = sealing.spec_of(mapper.class_)
    if spec is None:
        return
    state: InstanceState[Any] = attributes.instance_state(target)
    session = object_session(target)
    if session is None:
        raise RuntimeError(f"{mapper.class_.__name__} is written outside a session")
    if target.id is None:
        target.id = new_id()
    changed = [
        column
        for column in spec.columns
        if column.key in state.dict
        and (inserting or attributes.get_history(target, column.key).has_changes())
    ]
    brand_id = _brand_of(connection, spec, target)
    for index_key, source in spec.blind_indexes.items():
        if any(column.key == source for column in changed):
            plain = state.dict[source]
            setattr(target, index_key, blind_index(connection, brand_id, plain) if plain else "")
    if not changed:
        return
    key_id = current_key_id(session, brand_id)
    stash: dict[Any, dict[str, Any]] = session.info.setdefault(_SEALED, {})
    clear = stash.setdefault(state, {})
    for column in changed:
        value = state.dict[column.key]
        clear[column.key] = value
        state.dict[column.key] = sealing.seal(
            connection,
            key_id,
            value,
            column.kind,
            sealing.aad(column.table, column.column, target.id),
        )


def _before_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    _seal_target(mapper, connection, target, inserting=True)


def _before_update(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    _seal_target(mapper, connection, target, inserting=False)


def _put_back(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    session = object_session(target)
    if session is None:
        return
    state = attributes.instance_state(target)
    clear = session.info.get(_SEALED, {}).pop(state, None)
    if clear:
        state.dict.update(clear)


def _open_target(target: Any, session: Session | None, only: set[str] | None) -> None:
    spec = sealing.spec_of(type(target))
    if spec is None or session is None:
        return
    state = attributes.instance_state(target)
    connection = session.connection()
    for column in spec.columns:
        if column.key in state.dict and (only is None or column.key in only):
            value = sealing.unseal(
                connection,
                state.dict[column.key],
                column.kind,
                sealing.aad(column.table, column.column, target.id),
            )
            set_committed_value(target, column.key, value)


def _on_load(target: Any, context: Any) -> None:
    _open_target(target, context.session, None)


def _on_refresh(target: Any, context: Any, attrs: Any) -> None:
    if context is None:
        # An ORM UPDATE statement set these attributes to the values it wrote: sealed ones
        # (``seal_column``) are opened, anything else is what the statement was given.
        spec = sealing.spec_of(type(target))
        state = attributes.instance_state(target)
        sealed = {
            column.key
            for column in (spec.columns if spec else [])
            if column.key in (attrs or ()) and sealing.key_id_of(state.dict.get(column.key))
        }
        _open_target(target, object_session(target), sealed)
        return
    _open_target(target, context.session, set(attrs) if attrs else None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous: Any) -> None:
    # A data key made in the rolled-back transaction may be gone; objects whose flush failed
    # get their clear values back.
    session.info.pop(_KEYS, None)
    for state, clear in session.info.pop(_SEALED, {}).items():
        state.dict.update(clear)


def encrypt_columns(
    model: type[Any],
    *,
    brand: BrandOf,
    blind_indexes: dict[str, str] | None = None,
    **columns: Classification,
) -> None:
    """Store these columns of ``model`` encrypted (and their blind indexes, if any).

    ``brand`` says whose data key seals them: ``BrandOf("brand_id")`` (the row's column),
    ``BrandOf("ticket_id", parent=Ticket.__table__)`` (the brand of the parent row), or
    ``BrandOf()`` (the platform key, for rows of no brand).
    """
    sealing.register(model, brand=brand, columns=columns, blind_indexes=blind_indexes)
    if brand.parent is not None:
        _PARENT_TABLES.add(str(brand.parent))
    event.listen(model, "before_insert", _before_insert)
    event.listen(model, "before_update", _before_update)
    event.listen(model, "after_insert", _put_back)
    event.listen(model, "after_update", _put_back)
    event.listen(model, "load", _on_load)
    event.listen(model, "refresh", _on_refresh)


def _column(attribute: QueryableAttribute[Any]) -> sealing.EncryptedColumn:
    for column in sealing.registry():
        if column.model is attribute.class_ and column.key == attribute.key:
            return column
    raise ValueError(f"{attribute} is not an encrypted column")


def open_column(
    session: Session, attribute: QueryableAttribute[Any], row_id: object, stored: Any
) -> Any:
    """Open a value of an encrypted column read without its object (``select(Model.column)``)."""
    column = _column(attribute)
    return sealing.unseal(
        session.connection(), stored, column.kind, sealing.aad(column.table, column.column, row_id)
    )


def seal_column(
    session: Session,
    attribute: QueryableAttribute[Any],
    row_id: object,
    value: Any,
    *,
    brand_id: uuid.UUID | None,
    max_key_age: float = 0.0,
) -> Any:
    """Seal a value for a Core ``insert``/``update`` of an encrypted column (``max_key_age``:
    see ``current_key_id``)."""
    column = _column(attribute)
    return sealing.seal(
        session.connection(),
        current_key_id(session, brand_id, max_age=max_key_age),
        value,
        column.kind,
        sealing.aad(column.table, column.column, row_id),
    )


# A user's second-factor secret. auth sits below privacy, so its column is registered here.
encrypt_columns(User, brand=BrandOf(), totp_secret=Classification.SECRET)
