"""The kinds of import, each declared in a module of its own."""

from kinerja_api.imports.kind import Kind
from kinerja_api.imports.kinds.agencies import AGENCIES
from kinerja_api.imports.kinds.employees import EMPLOYEES
from kinerja_api.imports.kinds.lapor import LAPOR_COMPLAINTS
from kinerja_api.imports.kinds.siasn import SIASN_EMPLOYEES
from kinerja_api.imports.kinds.users import USERS
from kinerja_api.models.imports import ImportKind

KINDS: dict[ImportKind, Kind] = {
    kind.name: kind for kind in (AGENCIES, EMPLOYEES, USERS, SIASN_EMPLOYEES, LAPOR_COMPLAINTS)
}
