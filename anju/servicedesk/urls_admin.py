"""Administration and oversight pages of the service desk, under /desk/admin/."""

from django.urls import path

from anju.servicedesk.views_admin import alerts, calendar, categories, duty, notifications, sla

app_name = "desk_admin"
urlpatterns = [
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/load/", calendar.calendar_load, name="calendar_load"),
    path("calendar/enter/", calendar.calendar_enter, name="calendar_enter"),
    path("calendar/amend/", calendar.calendar_amend, name="calendar_amend"),
    path("calendar/amend/<int:pk>/remove/", calendar.calendar_remove, name="calendar_remove"),
    path("sla/", sla.sla_list, name="sla_list"),
    path("sla/new/", sla.sla_create, name="sla_create"),
    path("sla/<int:pk>/", sla.sla_edit, name="sla_edit"),
    path("categories/", categories.categories, name="categories"),
    path("categories/add/", categories.category_add, name="category_add"),
    path("categories/<int:pk>/rename/", categories.category_rename_view, name="category_rename"),
    path("categories/<int:pk>/toggle/", categories.category_toggle, name="category_toggle"),
    path("duty/", duty.duty_roster, name="duty"),
    path("duty/<int:pk>/remove/", duty.duty_shift_delete, name="duty_delete"),
    path("alerts/", alerts.alerts, name="alerts"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/take/", alerts.alert_take, name="alert_take"),
    path("alerts/<int:pk>/close/", alerts.alert_close, name="alert_close"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/bell/", notifications.notification_bell, name="notification_bell"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
]
