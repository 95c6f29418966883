from django.urls import path

from anju.owners import views

app_name = "owners"
urlpatterns = [
    path("", views.owner_list, name="list"),
    path("search/", views.quick_search, name="quick_search"),
    path("export/", views.owner_export, name="export"),
    path("new/", views.owner_create, name="create"),
    path("units/options/", views.unit_options, name="unit_options"),
    path("<int:pk>/", views.owner_detail, name="detail"),
    path("<int:pk>/edit/", views.owner_edit, name="edit"),
    path("<int:pk>/reveal/", views.owner_reveal, name="reveal"),
    path("<int:owner_pk>/ownerships/new/", views.ownership_add, name="ownership_add"),
    path("ownerships/<int:pk>/edit/", views.ownership_edit, name="ownership_edit"),
]
