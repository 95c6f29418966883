from django.urls import path

from anju.properties import views

app_name = "properties"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("phases/new/", views.PhaseCreateView.as_view(), name="phase_create"),
    path("phases/<int:pk>/edit/", views.PhaseEditView.as_view(), name="phase_edit"),
    path("layouts/new/", views.LayoutCreateView.as_view(), name="layout_create"),
    path("layouts/<int:pk>/edit/", views.LayoutEditView.as_view(), name="layout_edit"),
    path("buildings/new/", views.BuildingCreateView.as_view(), name="building_create"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building_detail"),
    path("buildings/<int:pk>/edit/", views.BuildingEditView.as_view(), name="building_edit"),
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit_edit"),
]
