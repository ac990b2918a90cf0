"""The planner: intake + library -> plan. Pure Python: no Flask, no database.

The CLI, the portal and the API all call `make_plan` (and `apply_adjustments`
for clinician changes), so every path that builds a plan passes the same
safety rules.
"""

from rehab.planner.intake import Intake, IntakeError, parse_intake  # noqa: F401
from rehab.planner.assemble import AdjustmentError, apply_adjustments, make_plan  # noqa: F401
from rehab.planner.types import Plan, plan_from_dict  # noqa: F401
