from django.urls import path

from anju.servicedesk.views import actions, intake, orders, queues

app_name = "servicedesk"
urlpatterns = [
    path("", queues.queue, name="queue"),
    path("views/save/", queues.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", queues.saved_view_delete, name="saved_view_delete"),
    path("new/", intake.order_create, name="create"),
    path("new/owners/", intake.owner_options, name="owner_options"),
    path("new/units/", intake.unit_options, name="unit_options"),
    path("<int:pk>/", orders.order_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_pk>/", orders.order_photo, name="photo"),
    *(
        path(f"<int:pk>/{name.replace('_', '-')}/", view, name=name)
        for name, view in actions.VIEWS.items()
    ),
]
