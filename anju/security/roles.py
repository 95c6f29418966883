"""The roles of PRODUCT.md as Django groups with their permissions.

Roles are data (groups administrators may edit), but their defaults live here so that a
fresh installation and the tests agree on what each role may do.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    label: Promise
    permissions: tuple[str, ...]


VIEW_REGISTRY = (
    "properties.view_project",
    "properties.view_phase",
    "properties.view_building",
    "properties.view_unit",
    "properties.view_layout",
)
EDIT_REGISTRY = (
    "properties.add_project",
    "properties.change_project",
    "properties.add_phase",
    "properties.change_phase",
    "properties.add_building",
    "properties.change_building",
    "properties.add_unit",
    "properties.change_unit",
    "properties.add_layout",
    "properties.change_layout",
    "properties.import_units",
)
VIEW_OWNERS = ("owners.view_owner", "owners.view_ownership")
EDIT_OWNERS = (
    "owners.add_owner",
    "owners.change_owner",
    "owners.add_ownership",
    "owners.change_ownership",
)
REVEAL = ("owners.reveal_personal_data",)
EXPORT = ("owners.export_owners",)
IMPORT = ("owners.import_owners",)
VIEW_DESK = (
    "servicedesk.view_workorder",
    "servicedesk.view_category",
    "servicedesk.view_slapolicy",
    "servicedesk.view_groupcomplaintalert",
    "servicedesk.view_calendarday",
)
WORK_DESK = (
    "servicedesk.add_workorder",
    "servicedesk.change_workorder",
    "servicedesk.dispatch_workorder",
)
APPROVE_DESK = (
    "servicedesk.approve_complaintplan",
    "servicedesk.manage_groupcomplaintalert",
    # the duty roster (值班): who answers urgent complaints
    "servicedesk.view_dutyshift",
    "servicedesk.add_dutyshift",
    "servicedesk.delete_dutyshift",
)
ADMIN_DESK = (
    "servicedesk.add_category",
    "servicedesk.change_category",
    "servicedesk.add_slapolicy",
    "servicedesk.change_slapolicy",
    "servicedesk.add_slatarget",
    "servicedesk.change_slatarget",
    "servicedesk.delete_slatarget",
    "servicedesk.add_calendarday",
    "servicedesk.delete_calendarday",
    "servicedesk.add_calendaryear",
    "servicedesk.change_calendaryear",
)
DESK = VIEW_DESK + WORK_DESK

ROLES: tuple[Role, ...] = (
    Role(
        "administrator",
        _("Administrator"),
        VIEW_REGISTRY
        + EDIT_REGISTRY
        + VIEW_OWNERS
        + EDIT_OWNERS
        + REVEAL
        + EXPORT
        + IMPORT
        + (
            "owners.export_personal_data_clear",
            "security.access_all_projects",
            "security.view_user",
            "security.add_user",
            "security.change_user",
            "auth.view_group",
            "auth.change_group",
            "audit.view_changelog",
        )
        + DESK
        + APPROVE_DESK
        + ADMIN_DESK,
    ),
    Role(
        "manager",
        _("Manager"),
        VIEW_REGISTRY + VIEW_OWNERS + EDIT_OWNERS + REVEAL + EXPORT + IMPORT + DESK + APPROVE_DESK,
    ),
    Role("front_desk", _("Front desk"), VIEW_REGISTRY + VIEW_OWNERS + EDIT_OWNERS + REVEAL + DESK),
    Role(
        "cs_officer",
        _("Customer-service officer"),
        VIEW_REGISTRY + VIEW_OWNERS + EDIT_OWNERS + REVEAL + EXPORT + IMPORT + DESK,
    ),
    Role(
        "sales_consultant",
        _("Sales consultant"),
        VIEW_REGISTRY + VIEW_OWNERS + EDIT_OWNERS + VIEW_DESK + ("servicedesk.add_workorder",),
    ),
    Role("repair_supervisor", _("Repair supervisor"), VIEW_REGISTRY + VIEW_OWNERS + DESK),
    Role("contractor", _("Contractor"), ()),
    Role(
        "auditor",
        _("Auditor"),
        ("audit.view_personaldataaccess", "audit.view_changelog", "security.access_all_projects"),
    ),
)

ROLE_BY_CODE = {role.code: role for role in ROLES}
