"""Migration 0007 fills the building of existing orders, batch by batch (D14)."""

import importlib

from django.db import connection

from anju.core.testing.factories import UnitFactory
from anju.servicedesk.models import WorkOrder

migration = importlib.import_module("anju.servicedesk.migrations.0007_work_order_building")


def test_orders_with_a_unit_get_its_building_in_batches_and_again_is_nothing(
    accept, unit, monkeypatch
):
    # given orders as they stood before the migration: units, no building
    other_unit = UnitFactory(building__project=unit.project)
    orders = [accept(), accept(unit_id=other_unit.pk), accept(), accept(type="enquiry")]
    enquiry = orders[-1]
    WorkOrder.objects.filter(pk=enquiry.pk).update(unit=None)
    WorkOrder.objects.update(building=None)
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches and the last pass
    # when
    filled = migration.fill(connection)
    # then
    stored = dict(WorkOrder.objects.values_list("pk", "building_id"))
    assert stored == {
        orders[0].pk: unit.building_id,
        orders[1].pk: other_unit.building_id,
        orders[2].pk: unit.building_id,
        enquiry.pk: None,
    }
    assert filled == 3
    assert migration.fill(connection) == 0  # a second run finds nothing to do
