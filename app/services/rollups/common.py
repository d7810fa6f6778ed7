"""What the rollup modules share: how a difference found by `verify()` is reported, and the batch size."""

from dataclasses import dataclass

BATCH = 5000


@dataclass
class Difference:
    what: str  # the table ("daily_count", "area_count", "score_unit", ...) or "household"
    key: str
    column: str
    stored: object
    expected: object

    def __str__(self) -> str:
        return f"{self.what} {self.key} {self.column}: stored {self.stored}, expected {self.expected}"
