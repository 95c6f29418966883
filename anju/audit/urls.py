from django.urls import path

from anju.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditIndexView.as_view(), name="index"),
    path("access/", views.AccessLogView.as_view(), name="access_log"),
    path("changes/", views.ChangeLogView.as_view(), name="change_log"),
    path("changes/<int:pk>/", views.ChangeDetailView.as_view(), name="change_detail"),
]
