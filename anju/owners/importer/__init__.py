"""Import owners and their units from one sheet (业主导入).

One row is one ownership; rows with the same ID number are the same owner; several
owners on one unit are co-owners, and blank shares split what the others leave. A unit
missing from the registry is created when its building exists. See `rows` (the checks
that need only the file) and `commit` (the database checks and the bulk writes).
"""

from django.utils.translation import gettext_lazy as _

from anju.imports.columns import OWNER_COLUMNS
from anju.imports.spec import Importer
from anju.owners.importer.commit import OwnerResolution, resolve, write
from anju.owners.importer.plan import OwnerPlan, OwnerRecord, OwnershipRecord
from anju.owners.importer.rows import check_rows

__all__ = [
    "IMPORTER",
    "OwnerPlan",
    "OwnerRecord",
    "OwnerResolution",
    "OwnershipRecord",
    "check_rows",
    "resolve",
    "write",
]

IMPORTER = Importer(
    kind="owners",
    permission="owners.import_owners",
    sheet_title="业主导入",
    columns=OWNER_COLUMNS,
    notes=(
        _("One row is one owner holding one unit. Header row: row 1; data from row 2."),
        _(
            "Rows with the same ID number are the same owner: the owner columns of the first "
            "such row are used. Several owners on one unit are co-owners."
        ),
        _(
            "The building must exist in the project; a missing unit is created "
            "(floor, layout and area are then read from the row)."
        ),
        _("A file with any error imports nothing: fix the rows listed and upload again."),
    ),
    check=check_rows,
    resolve=resolve,
    write=write,
)
