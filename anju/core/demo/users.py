"""One demo login per role, on the demo projects (the sales consultant on the first only)."""

import os
from dataclasses import dataclass

from anju.core.demo.registry import DEMO_CODES
from anju.properties.models import Project
from anju.security.models import User
from anju.security.services import sync_roles, user_create

DEFAULT_PASSWORD = "anju-demo-2026"
PASSWORD_ENV = "ANJU_DEMO_PASSWORD"


@dataclass(frozen=True)
class DemoUser:
    role: str
    username: str
    name: str
    role_label: str  # Chinese and English: the printed table is bilingual
    first_project_only: bool = False


DEMO_USERS = (
    DemoUser("administrator", "admin", "系统管理员", "管理员 Administrator"),
    DemoUser("manager", "manager", "陈静", "客服经理 Manager"),
    DemoUser("front_desk", "frontdesk", "李娜", "前台 Front desk"),
    DemoUser("cs_officer", "service", "刘洋", "客服专员 Customer-service officer"),
    DemoUser("sales_consultant", "sales", "赵敏", "置业顾问 Sales consultant", True),
    DemoUser("repair_supervisor", "supervisor", "孙强", "维修主管 Repair supervisor"),
    DemoUser("auditor", "auditor", "周婷", "审计 Auditor"),
)


@dataclass(frozen=True)
class Login:
    role_label: str
    username: str
    password: str  # "" when the user changed it and it was not reset
    projects: list[str]


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def ensure_users(password: str, *, reset_passwords: bool) -> list[Login]:
    sync_roles()
    projects = list(Project.objects.filter(code__in=DEMO_CODES))
    projects.sort(key=lambda p: DEMO_CODES.index(p.code))
    logins = []
    for spec in DEMO_USERS:
        assigned = projects[:1] if spec.first_project_only else projects
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = user_create(
                actor=None,
                username=spec.username,
                password=password,
                name=spec.name,
                roles=[spec.role],
                project_ids=[p.pk for p in assigned],
            )
        elif not user.check_password(password):
            if not reset_passwords:
                logins.append(Login(spec.role_label, spec.username, "", _names(user)))
                continue
            # Not a change of the user's record worth a change-log row: the demo password.
            user.set_password(password)
            user.save(update_fields=["password"])
        logins.append(Login(spec.role_label, spec.username, password, _names(user)))
    return logins


def _names(user: User) -> list[str]:
    return [p.name for p in user.projects.order_by("pk")]
