"""Breaking-change detection between two versions of an API, and a client's drift from one.

`diff_models(old, new)` (engine) reports every change with a rule of the catalogue
(`spec.diff.rules`), a level and both locations; `drift` reads the same changes from a client's
side. Inputs are `spec.model.ApiModel`s, so any of Swagger 2.0, OpenAPI 3.0 and 3.1 compare.
"""

from spec.diff.changes import FAIL_ON, Change, DiffResult, Level, Side
from spec.diff.engine import diff_models

__all__ = ["FAIL_ON", "Change", "DiffResult", "Level", "Side", "diff_models"]
