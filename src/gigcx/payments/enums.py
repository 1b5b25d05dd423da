from enum import StrEnum


class EarningKind(StrEnum):
    TASK = "task"
    REVERSAL = "reversal"
