"""/api/v1/ routes of the registry (included by anju/api_urls.py)."""

from rest_framework.routers import SimpleRouter

from anju.properties import api

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("phases", api.PhaseViewSet, basename="phase")
router.register("layouts", api.LayoutViewSet, basename="layout")
router.register("buildings", api.BuildingViewSet, basename="building")
router.register("units", api.UnitViewSet, basename="unit")

urlpatterns = router.urls
