"""Seal stored values again, in batches: encrypt rows still in clear (the migration) and move
values off retired data keys (``gigcx keys rotate``). Core only, row by row with a guard, so
it runs beside the app and a rerun continues where an interrupted run stopped."""

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, FromClause, Table, and_, func, select, update

from gigcx.privacy import keys, orm, sealing
from gigcx.privacy.sealing import Kind

BATCH = 200
BYTES_BATCH = 20


@dataclass(frozen=True)
class Target:
    """A table with encrypted columns, as the reseal sees it."""

    table: Table
    columns: tuple[tuple[str, Kind], ...]
    # The column holding the brand (brand_id) or the parent's id, and the parent table.
    brand_column: str | None = None
    parent: FromClause | None = None
    # (index column, source column): filled when a clear value is sealed.
    blind_indexes: tuple[tuple[str, str], ...] = ()

    @property
    def batch(self) -> int:
        return BYTES_BATCH if any(kind is Kind.BYTES for _, kind in self.columns) else BATCH


def registered_targets() -> list[Target]:
    """Every table with encrypted columns, from the registry."""
    return [
        Target(
            table=spec.table,
            columns=tuple((column.column, column.kind) for column in spec.columns),
            brand_column=spec.brand.column,
            parent=spec.brand.parent,
            blind_indexes=tuple(
                (spec.table.c[spec.model.__mapper__.attrs[index].columns[0].name].name, source)
                for index, source in spec.blind_indexes.items()
            ),
        )
        for spec in sealing.encrypted_models()
    ]


class Resealer:
    """Seals values with each brand's current data key, remembering keys and parents."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.key_ids: dict[uuid.UUID | None, str] = {}
        self.parents: dict[tuple[str, Any], uuid.UUID | None] = {}

    def key_for(self, brand_id: uuid.UUID | None) -> str:
        if brand_id not in self.key_ids:
            self.key_ids[brand_id] = keys.current_data_key_id(
                self.connection, brand_id
            ) or keys.create_data_key(self.connection, brand_id)
        return self.key_ids[brand_id]

    def brand_of(self, target: Target, row: Any) -> uuid.UUID | None:
        if target.brand_column is None:
            return None
        value = row._mapping[target.brand_column]
        if target.parent is None or value is None:
            return value  # type: ignore[no-any-return]
        cache_key = (str(target.parent), value)
        if cache_key not in self.parents:
            self.parents[cache_key] = self.connection.scalar(
                select(target.parent.c.brand_id).where(target.parent.c.id == value)
            )
        return self.parents[cache_key]

    def run(
        self,
        target: Target,
        needs_sealing: Callable[[Any], bool],
        *,
        on_batch: Callable[[int], None] | None = None,
        commit: Callable[[], None] | None = None,
    ) -> int:
        """Seal every value of ``target`` for which ``needs_sealing(stored)``; return how many
        rows changed. ``commit`` (if given) ends each batch's transaction."""
        table = target.table
        wanted = [table.c.id, *(table.c[name] for name, _ in target.columns)]
        if target.brand_column is not None:
            wanted.append(table.c[target.brand_column])
        changed, last = 0, None
        while True:
            statement = select(*wanted).order_by(table.c.id).limit(target.batch)
            if last is not None:
                statement = statement.where(table.c.id > last)
            rows = self.connection.execute(statement).all()
            if not rows:
                return changed
            for row in rows:
                changed += self._reseal_row(target, row, needs_sealing)
            last = rows[-1].id
            if commit is not None:
                commit()
            if on_batch is not None:
                on_batch(len(rows))

    def _reseal_row(self, target: Target, row: Any, needs_sealing: Callable[[Any], bool]) -> int:
        values: dict[str, Any] = {}
        guards = []
        brand_id = self.brand_of(target, row)
        for name, kind in target.columns:
            stored = row._mapping[name]
            if not needs_sealing(stored):
                continue
            place = sealing.aad(target.table.name, name, row.id)
            if sealing.key_id_of(stored) is None:
                plain = stored
                for index_column, source in target.blind_indexes:
                    if source == name:
                        values[index_column] = (
                            orm.blind_index(self.connection, brand_id, plain) if plain else ""
                        )
            else:
                plain = sealing.unseal(self.connection, stored, kind, place)
            values[name] = sealing.seal(self.connection, self.key_for(brand_id), plain, kind, place)
            if kind is not Kind.JSON:
                guards.append(target.table.c[name] == stored)
        if not values:
            return 0
        result = self.connection.execute(
            update(target.table).where(and_(target.table.c.id == row.id, *guards)).values(**values)
        )
        return 1 if result.rowcount else 0


def open_all(connection: Connection, target: Target) -> None:
    """Write every sealed value of ``target`` back in clear (undoing encryption at rest)."""
    table = target.table
    wanted = [table.c.id, *(table.c[name] for name, _ in target.columns)]
    last = None
    while True:
        statement = select(*wanted).order_by(table.c.id).limit(target.batch)
        if last is not None:
            statement = statement.where(table.c.id > last)
        rows = connection.execute(statement).all()
        if not rows:
            return
        for row in rows:
            values = {
                name: sealing.unseal(
                    connection, row._mapping[name], kind, sealing.aad(table.name, name, row.id)
                )
                for name, kind in target.columns
                if sealing.key_id_of(row._mapping[name])
            }
            if values:
                connection.execute(update(table).where(table.c.id == row.id).values(**values))
        last = rows[-1].id


def is_clear(stored: Any) -> bool:
    """A value not sealed yet (empty ones stay as they are)."""
    if stored is None:
        return False
    if isinstance(stored, str | bytes | bytearray | memoryview) and len(stored) == 0:
        return False
    return sealing.key_id_of(stored) is None


def count_key_ids(
    connection: Connection, targets: list[Target]
) -> Iterator[tuple[str, Counter[str]]]:
    """Per ``table.column``: how many values each data key id seals ("clear": not sealed)."""
    for target in targets:
        table = target.table
        for name, kind in target.columns:
            column = table.c[name]
            read = column if kind is Kind.JSON else func.substr(column, 1, 40)
            counts: Counter[str] = Counter()
            last = None
            while True:
                statement = select(table.c.id, read).order_by(table.c.id).limit(2000)
                if last is not None:
                    statement = statement.where(table.c.id > last)
                rows = connection.execute(statement).all()
                if not rows:
                    break
                for _, stored in rows:
                    if stored is None or (kind is not Kind.JSON and len(stored) == 0):
                        continue
                    counts[sealing.key_id_of(stored) or "clear"] += 1
                last = rows[-1][0]
            yield f"{table.name}.{name}", counts
