from django.urls import path

from anju.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("upload/", views.job_upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/commit/", views.job_commit, name="commit"),
    path("template/<slug:kind>/", views.template_download, name="template"),
]
