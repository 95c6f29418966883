"""Service-desk routes under /api/v1/ (a SimpleRouter: the API root belongs to no app)."""

from rest_framework.routers import SimpleRouter

from anju.servicedesk.api import (
    CalendarViewSet,
    GroupComplaintAlertViewSet,
    ServiceCategoryViewSet,
    WorkOrderViewSet,
)

router = SimpleRouter()
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register(
    "group-complaint-alerts", GroupComplaintAlertViewSet, basename="group-complaint-alert"
)
router.register("service-categories", ServiceCategoryViewSet, basename="service-category")
router.register("calendar", CalendarViewSet, basename="calendar")

urlpatterns = router.urls
