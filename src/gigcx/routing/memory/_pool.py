"""Eligible experts for one ticket as arrays, and their ranking."""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from gigcx.routing import scoring
from gigcx.routing.memory._read import seconds

# ---------------------------------------------------------------------------------------------
# Decisions


@dataclass
class Pool:
    """Eligible experts for one ticket, with what the score needs, as arrays."""

    ids: np.ndarray  # of uuid.UUID objects
    level: np.ndarray
    proficiency: np.ndarray
    capacity: np.ndarray
    quality: np.ndarray
    working: np.ndarray
    pending: np.ndarray
    idle: np.ndarray
    order: np.ndarray  # position in id order, for ties

    def __len__(self) -> int:
        return len(self.ids)

    def expert_ids(self) -> list[uuid.UUID]:
        return list(self.ids)

    def take(self, keep: np.ndarray) -> "Pool":
        """The experts where ``keep`` (a boolean mask or positions) selects them."""
        positions = np.flatnonzero(keep) if keep.dtype == bool else keep
        return Pool(
            ids=self.ids[positions],
            level=self.level[positions],
            proficiency=self.proficiency[positions],
            capacity=self.capacity[positions],
            quality=self.quality[positions],
            working=self.working[positions],
            pending=self.pending[positions],
            idle=self.idle[positions],
            order=self.order[positions],
        )

    def without(self, expert_ids: Iterable[uuid.UUID]) -> "Pool":
        dropped = set(expert_ids)
        if not dropped:
            return self
        return self.take(np.fromiter((i not in dropped for i in self.ids), bool, len(self.ids)))

    def free(self) -> "Pool":
        """Those with room on the ticket's channel."""
        return self.take(self.working + self.pending < self.capacity)

    def candidate(self, position: int) -> scoring.Candidate:
        quality = float(self.quality[position])
        return scoring.Candidate(
            expert_id=self.ids[position],
            skill_level=int(self.level[position]),
            proficiency=int(self.proficiency[position]),
            quality_score=None if math.isnan(quality) else quality,
            capacity=int(self.capacity[position]),
            working=int(self.working[position]),
            pending=int(self.pending[position]),
            idle_since=datetime.fromtimestamp(float(self.idle[position]), UTC),
        )

    def candidates(self) -> list[scoring.Candidate]:
        return [self.candidate(i) for i in range(len(self))]

    def ranked(
        self,
        weights: dict[str, float],
        now: datetime,
        *,
        first: int | None = None,
        include: uuid.UUID | None = None,
    ) -> list[scoring.Scored]:
        """Scored best first, as ``scoring.rank``: all, or the ``first`` best (and ``include``,
        wherever it ranks, after them)."""
        if not len(self.ids):
            return []
        values = self._terms(now)
        weight_values = np.array([weights.get(t, 0.0) for t in scoring.TERMS])
        total = weight_values.sum() or 1.0
        scores = np.round(weight_values @ values / total, 6)
        # Best score first, then the longer idle, then the id order (as scoring.rank).
        ordered = np.lexsort((self.order, self.idle, -scores))
        positions = list(ordered if first is None else ordered[:first])
        if include is not None:
            where = np.flatnonzero(self.ids == include)
            if len(where) and where[0] not in positions:
                positions.append(int(where[0]))
        # The offers store the exact score of each one chosen, as scoring computes it.
        return [scoring.score(self.candidate(i), weights, now) for i in positions]

    def _terms(self, now: datetime) -> np.ndarray:
        """The terms in the order of scoring.TERMS, one column per expert."""
        idle_minutes = np.maximum((seconds(now) - self.idle) / 60.0, 0.0)
        quality = np.where(np.isnan(self.quality), scoring.QUALITY_PRIOR, self.quality)
        busy = self.working + self.pending
        with np.errstate(divide="ignore", invalid="ignore"):
            load = np.where(self.capacity > 0, np.maximum(1.0 - busy / self.capacity, 0.0), 0.0)
        return np.vstack(
            (
                self.level / 5.0,
                self.proficiency / 5.0,
                np.clip(quality / 100.0, 0.0, 1.0),
                np.minimum(idle_minutes / scoring.IDLE_FULL_MINUTES, 1.0),
                load,
            )
        )
