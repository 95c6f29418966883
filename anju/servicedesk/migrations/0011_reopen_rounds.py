"""A reopened order starts its clocks again and needs a new plan and feedback.

Milestones were unique per (order, kind), so a reopened order could not start a second
completion or feedback clock: it showed as neither at risk nor breached, and the sweep
never saw it. Now only running milestones are unique per kind; the met and cancelled ones
of earlier rounds stay as history. The plain (order, kind) index is built before the
unique one goes, so look-ups by order always have one. `reopened_at` tells a complaint's
current plan and feedback from those before the reopening (a nullable column: no rewrite).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0010_team_departments_from_the_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="workorder",
            name="reopened_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reopened at"),
        ),
        migrations.AddIndex(
            model_name="milestone",
            index=models.Index(fields=["work_order", "kind"], name="milestone_order_kind"),
        ),
        migrations.AddConstraint(
            model_name="milestone",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cancelled", False), ("met_at__isnull", True)),
                fields=("work_order", "kind"),
                name="milestone_running_unique",
            ),
        ),
        migrations.RemoveConstraint(model_name="milestone", name="milestone_unique"),
    ]
