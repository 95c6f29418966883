"""Check that what an import wrote is what the owner and property services would write.

Used by the tests (SQLite) and runnable against a PostgreSQL database by hand, where
the import writes with COPY instead of INSERT.
"""

from collections import Counter
from typing import Any

from anju.audit.models import ChangeLog
from anju.audit.services import snapshot
from anju.imports.models import ImportJob
from anju.owners.models import Owner, OwnerEvent, Ownership
from anju.owners.personal_data import id_number_index, phone_index
from anju.owners.rules.names import name_initials, name_pinyin, name_search_keys
from anju.owners.services import owner_view, ownership_view
from anju.properties.models import Unit
from anju.security import crypto
from anju.security.masking import mask_id_number, mask_phone


def _logs(job: ImportJob, model: str) -> dict[str, ChangeLog]:
    logs = ChangeLog.objects.filter(
        request_id=f"import-{job.pk}", content_type__model=model, action="create"
    )
    found = {log.object_id: log for log in logs}
    assert len(found) == logs.count(), f"one change-log row per {model}"
    return found


def assert_written_like_services(job: ImportJob, actor: Any) -> None:
    """Every owner, phone, search key, event, unit and ownership of a committed job."""
    owner_logs = _logs(job, "owner")
    owners = list(Owner.objects.filter(pk__in=[int(pk) for pk in owner_logs]))
    assert len(owners) == job.summary["owners"]
    for owner in owners:
        _assert_owner(owner, owner_logs[str(owner.pk)], job, actor)
    ownership_logs = _logs(job, "ownership")
    assert len(ownership_logs) == job.summary["ownerships"]
    for ownership in Ownership.objects.filter(pk__in=[int(pk) for pk in ownership_logs]):
        log = ownership_logs[str(ownership.pk)]
        assert log.after == ownership_view(ownership)
        assert log.object_repr == str(ownership)[:200]
    unit_logs = _logs(job, "unit")
    assert len(unit_logs) == job.summary["units"]
    for unit in Unit.objects.filter(pk__in=[int(pk) for pk in unit_logs]):
        assert unit_logs[str(unit.pk)].after == snapshot(unit, exclude={"created_at", "updated_at"})


def _assert_owner(owner: Owner, log: ChangeLog, job: ImportJob, actor: Any) -> None:
    assert log.after == owner_view(owner)
    assert (log.object_repr, log.actor_id, log.before) == (owner.name, actor.pk, None)
    assert owner.name_pinyin == name_pinyin(owner.name, is_company=owner.is_company)
    assert owner.name_initials == name_initials(owner.name, is_company=owner.is_company)
    assert owner.name_initials  # every name in the test files has a reading
    # the projects the owner belongs to, as owner_create and ownership_create link them
    reached = set(owner.project_links.values_list("project_id", flat=True))
    assert reached == {
        owner.project_id,
        *owner.ownerships.values_list("unit__project_id", flat=True),
    }
    keys = Counter(owner.search_keys.values_list("key", flat=True))
    assert keys == Counter(name_search_keys(owner.name, is_company=owner.is_company))
    if owner.id_number_cipher:
        clear = crypto.decrypt(owner.id_number_cipher)
        assert owner.id_number_index == id_number_index(clear)
        assert owner.id_number_masked == mask_id_number(clear)
    phones = list(owner.phones.all())
    assert [phone.is_primary for phone in phones] == [i == 0 for i in range(len(phones))]
    for phone in phones:
        clear = crypto.decrypt(phone.number_cipher)
        assert phone.number_index == phone_index(clear)
        assert phone.number_masked == mask_phone(clear)
    event = OwnerEvent.objects.get(owner=owner)
    codes = sorted(owner.ownerships.values_list("unit__code", flat=True))
    assert (event.kind, event.actor_id) == (OwnerEvent.Kind.IMPORTED, actor.pk)
    assert event.data["job"] == job.pk and sorted(event.data["units"]) == codes
