"""What other domains may use of plans: the one module they import from it.

Progress reports land on a plan's indicators, so progress checks the plan's period is open,
marks the plan changed when its achievement moves, and shows the achievement read model (which
plans owns: it is the plans' and targets' figures, computed from accepted reports). The
progress streams carry plan events, so they describe them with plans' own model. Sync reads
who may read a plan, to serve the tombstones of a plan's targets and indicators. The e-Kinerja
exchange format carries the plans of an agency with their achievement. Imports write plans,
targets and indicators from files under the same rules (which plans may change, the fields'
bounds)."""

from kinerja_api.plans.achievement import (
    PlanAchievement,
    TargetAchievement,
    plan_achievement,
    plans_achievement,
    quarter_of,
    targets_achievement,
)
from kinerja_api.plans.achievement_schemas import (
    GroupQuarterOut,
    Percent,
    TargetAchievementOut,
)
from kinerja_api.plans.events import PlanEventData, PlanEventType
from kinerja_api.plans.periods.service import require_open
from kinerja_api.plans.repository import READ_SCOPE
from kinerja_api.plans.repository import find as find_readable_plan
from kinerja_api.plans.repository import readable as readable_plans
from kinerja_api.plans.targets.schemas import (
    POSITION_MAX,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    WEIGHT_MAX,
)
from kinerja_api.plans.views import find_plan
from kinerja_api.plans.workflow import EDITABLE, touch_plan

__all__ = [
    "EDITABLE",
    "POSITION_MAX",
    "READ_SCOPE",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "UNIT_MAX_LENGTH",
    "WEIGHT_MAX",
    "GroupQuarterOut",
    "Percent",
    "PlanAchievement",
    "PlanEventData",
    "PlanEventType",
    "TargetAchievement",
    "TargetAchievementOut",
    "find_plan",
    "find_readable_plan",
    "plan_achievement",
    "plans_achievement",
    "quarter_of",
    "readable_plans",
    "require_open",
    "targets_achievement",
    "touch_plan",
]
