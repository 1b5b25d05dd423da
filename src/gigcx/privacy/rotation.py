"""Key rotation: rewrap data keys under the primary master key, and move every value to new
data keys. Resumable: a rerun finds the values still on retired keys and continues."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select, update

from gigcx.kit import clock
from gigcx.privacy import keys, reseal, sealing
from gigcx.privacy.models import DataKey


@dataclass
class Rotation:
    rewrapped: int = 0
    retired: int = 0
    resealed: int = 0
    resumed: bool = False
    left_on_retired: int = 0


def retired_key_ids(connection: Connection) -> set[str]:
    return set(
        connection.scalars(
            select(DataKey.id).where(DataKey.purpose == keys.DATA, DataKey.retired_at.is_not(None))
        )
    )


def key_counts(connection: Connection) -> dict[str, Counter[str]]:
    """Per encrypted ``table.column``: how many values each data key id seals."""
    return dict(reseal.count_key_ids(connection, reseal.registered_targets()))


def values_on(connection: Connection, key_ids: set[str]) -> int:
    return sum(
        count
        for counts in key_counts(connection).values()
        for key_id, count in counts.items()
        if key_id in key_ids
    )


def rows_to_scan(connection: Connection) -> int:
    """How many rows a full re-encryption reads (for a progress bar)."""
    return sum(
        connection.scalar(select(func.count()).select_from(target.table)) or 0
        for target in reseal.registered_targets()
    )


def rotate(
    connection: Connection,
    *,
    reencrypt: bool = True,
    on_batch: Callable[[int], None] | None = None,
    commit: Callable[[], None] | None = None,
) -> Rotation:
    """Rewrap every data key under the primary master key; with ``reencrypt``, retire the
    current data keys and seal every value again under new ones (or continue a rotation that
    stopped: values on retired keys are left from it)."""
    report = Rotation(rewrapped=keys.rewrap_data_keys(connection))
    if commit is not None:
        commit()
    if not reencrypt:
        return report
    retired = retired_key_ids(connection)
    report.resumed = bool(retired) and values_on(connection, retired) > 0
    if not report.resumed:
        report.retired = (
            connection.execute(
                update(DataKey)
                .where(DataKey.purpose == keys.DATA, DataKey.retired_at.is_(None))
                .values(retired_at=clock.now())
            ).rowcount
            or 0
        )
        retired = retired_key_ids(connection)
        if commit is not None:
            commit()

    def stale(stored: object) -> bool:
        return reseal.is_clear(stored) or sealing.key_id_of(stored) in retired

    resealer = reseal.Resealer(connection)
    for target in reseal.registered_targets():
        report.resealed += resealer.run(target, stale, on_batch=on_batch, commit=commit)
    report.left_on_retired = values_on(connection, retired)
    return report
