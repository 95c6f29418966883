"""Owner routes under /api/v1/ (a SimpleRouter: the API root belongs to no app)."""

from rest_framework.routers import SimpleRouter

from anju.owners.api import OwnershipViewSet, OwnerViewSet

router = SimpleRouter()
router.register("owners", OwnerViewSet, basename="owner")
router.register("ownerships", OwnershipViewSet, basename="ownership")

urlpatterns = router.urls
