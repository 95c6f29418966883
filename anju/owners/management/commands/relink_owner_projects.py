"""Rebuild OwnerProject, the projects each owner belongs to, from the owners and their
ownerships (decision D19).

The services keep it in step; run this after writing owners or ownerships around them
(a bulk load with COPY or SQL), or after an upgrade to owners/0005 during which processes
of the previous version kept writing.
"""

from typing import Any

from django.core.management.base import BaseCommand

from anju.owners.reach import relink_all_owner_projects


class Command(BaseCommand):
    help = "Rebuild the projects each owner belongs to (who may see which owner files)."

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = relink_all_owner_projects()
        self.stdout.write(f"{pairs} owner–project pairs")
