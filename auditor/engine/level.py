"""The level of the reporting body: moved to :mod:`auditor.level` (extraction sets a document's level
from it, below the engine); re-exported here for the code that imports it from the engine."""

from auditor.level import LEVELS, body_name, level_of, tier_of

__all__ = ["LEVELS", "body_name", "level_of", "tier_of"]
