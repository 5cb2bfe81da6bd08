"""The kinds of import, each declared in a module of its own."""

from kinerja_api.imports.kind import Kind
from kinerja_api.imports.kinds.agencies import AGENCIES
from kinerja_api.imports.kinds.employees import EMPLOYEES
from kinerja_api.imports.kinds.evaluation_assignments import EVALUATION_ASSIGNMENTS
from kinerja_api.imports.kinds.external_training import EXTERNAL_TRAINING
from kinerja_api.imports.kinds.lapor import LAPOR_COMPLAINTS
from kinerja_api.imports.kinds.plans import PLANS
from kinerja_api.imports.kinds.progress_reports import PROGRESS_REPORTS
from kinerja_api.imports.kinds.siasn import SIASN_EMPLOYEES
from kinerja_api.imports.kinds.training_attendance import TRAINING_ATTENDANCE
from kinerja_api.imports.kinds.users import USERS
from kinerja_api.models.imports import ImportKind

KINDS: dict[ImportKind, Kind] = {
    kind.name: kind
    for kind in (
        AGENCIES,
        EMPLOYEES,
        USERS,
        PLANS,
        PROGRESS_REPORTS,
        EVALUATION_ASSIGNMENTS,
        TRAINING_ATTENDANCE,
        EXTERNAL_TRAINING,
        SIASN_EMPLOYEES,
        LAPOR_COMPLAINTS,
    )
}
