"""Seed categories, default SLA policies and the official calendar 2020–2026."""

from django.db import migrations


def seed(apps, schema_editor):
    from anju.servicedesk import seed as data
    from anju.servicedesk.rules.official_calendar import official_year

    category_model = apps.get_model("servicedesk", "Category")
    for order, (parent_name, children) in enumerate(data.CATEGORIES.items()):
        parent = category_model.objects.create(name=parent_name, path=parent_name,
                                               sort_order=order)
        for position, name in enumerate(children):
            category_model.objects.create(parent=parent, name=name, sort_order=position,
                                          path=f"{parent_name} › {name}")
    policy_model = apps.get_model("servicedesk", "SlaPolicy")
    target_model = apps.get_model("servicedesk", "SlaTarget")
    for name, kind, urgency, targets in data.POLICIES:
        policy = policy_model.objects.create(name=name, work_order_type=kind, urgency=urgency)
        for milestone, clock, amount, share, pauses in targets:
            target_model.objects.create(policy=policy, milestone=milestone, clock=clock,
                                        amount=amount, at_risk_share=share,
                                        pauses_on_hold=pauses)
    year_model = apps.get_model("servicedesk", "CalendarYear")
    day_model = apps.get_model("servicedesk", "CalendarDay")
    for year in data.OFFICIAL_YEARS:
        official = official_year(year)
        year_model.objects.create(year=year, source=official.source)
        day_model.objects.bulk_create(
            [day_model(date=d, kind="holiday") for d in sorted(official.holidays)]
            + [day_model(date=d, kind="makeup_workday") for d in sorted(official.makeup_workdays)]
        )


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
