"""Kinds of identity document an owner file can hold."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU_PERMIT = "hk_macau_permit", _("Mainland travel permit for HK/Macau residents")
    TAIWAN_PERMIT = "taiwan_permit", _("Mainland travel permit for Taiwan residents")
    HMT_RESIDENCE_PERMIT = (
        "hmt_residence_permit",
        _("Residence permit for HK/Macau/Taiwan residents"),
    )
    FOREIGN_PERMANENT_RESIDENT = (
        "foreign_permanent_resident",
        _("Foreign permanent resident ID card"),
    )
    BUSINESS_LICENCE = "business_licence", _("Unified social credit code")
