# ruff: noqa: RUF001  (Chinese demo data uses full-width punctuation on purpose)
"""Realistic demo data: three projects, ~4,000 units, ~3,000 owners, one login per role.

`load_demo` is idempotent. The demo projects are recognised by their codes: when they
exist, no data is created again; the demo users are always made sure to exist (with the
demo password when they are created, or when `reset_passwords` is asked for) and their
logins are returned for printing.

Registry rows (projects, phases, layouts, buildings, units) are bulk-created without
change-log rows: they are seed data loaded by the installer, not changed by a person, and
the change log records what people do. Owners and ownerships go through the owner
services (`owner_create`, `ownership_create`), so every file is complete exactly as the
services make it: ciphertexts, blind indexes, masked forms, search keys, the "created"
owner event and change-log rows. Everything is written in one transaction.
"""

import os
import random
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from anju.owners.fakes import (
    fake_birth_date,
    fake_company_name,
    fake_credit_code,
    fake_mobile,
    fake_person_name,
    fake_resident_id,
)
from anju.owners.inputs import OwnerInput, PhoneInput
from anju.owners.models import Owner, Ownership
from anju.owners.rules.idtypes import IdType
from anju.owners.rules.lifecycle import add_months
from anju.owners.rules.names import name_pinyin
from anju.owners.services import owner_create, ownership_create
from anju.properties.models import Building, Layout, Phase, Project, Unit, unit_code
from anju.security.models import User
from anju.security.services import sync_roles, user_create

DEFAULT_SEED = 2026
DEFAULT_OWNERS = 3000
DEFAULT_PASSWORD = "anju-demo-2026"
PASSWORD_ENV = "ANJU_DEMO_PASSWORD"


# --- The registry ------------------------------------------------------------------------
@dataclass(frozen=True)
class LayoutSpec:
    code: str
    area: int  # nominal building area, m²
    bedrooms: int
    living_rooms: int
    bathrooms: int
    label: str

    @property
    def name(self) -> str:
        return f"{self.code} {self.area}㎡ {self.label}"


LAYOUTS = (
    LayoutSpec("A1", 89, 3, 2, 1, "三室两厅一卫"),
    LayoutSpec("A2", 105, 3, 2, 2, "三室两厅两卫"),
    LayoutSpec("B1", 128, 4, 2, 2, "四室两厅两卫"),
    LayoutSpec("C1", 143, 4, 2, 3, "四室两厅三卫"),
    LayoutSpec("D1", 76, 2, 2, 1, "两室两厅一卫"),
)
LAYOUT_AREA = {spec.code: spec.area for spec in LAYOUTS}


@dataclass(frozen=True)
class BuildingProfile:
    entrances: int
    rooms_per_floor: int  # per entrance
    floors: int
    layouts: tuple[str, ...]  # layout code per room position on a floor


PROFILES = {
    "T": BuildingProfile(2, 2, 28, ("A1", "A2")),  # high-rise tower, 112 units
    "S": BuildingProfile(1, 4, 32, ("D1", "A1", "A1", "D1")),  # slab, 128 units
    "M": BuildingProfile(2, 2, 20, ("A2", "B1")),  # mid-rise, 80 units
    "V": BuildingProfile(2, 2, 11, ("B1", "C1")),  # 洋房, 44 units
}


@dataclass(frozen=True)
class PhaseSpec:
    name: str
    delivered_months_ago: int  # negative: delivery still ahead (准业主)
    buildings: str  # one profile letter per building, numbered on through the project


@dataclass(frozen=True)
class ProjectSpec:
    code: str
    name: str
    city: str
    address: str
    area_code: str  # for landlines
    phases: tuple[PhaseSpec, ...]


PROJECTS = (
    ProjectSpec(
        "sz-yunwan",
        "安居·云湾花园",
        "深圳",
        "深圳市南山区沙河西路3168号",
        "0755",
        (
            PhaseSpec("一期", 36, "TTTSM"),
            PhaseSpec("二期", 18, "TSSMV"),
            PhaseSpec("三期", -8, "TTMV"),
        ),
    ),
    ProjectSpec(
        "hz-xixi",
        "安居·西溪雅苑",
        "杭州",
        "杭州市西湖区文二西路808号",
        "0571",
        (PhaseSpec("一期", 30, "TTSMMV"), PhaseSpec("二期", 6, "TSSMMV")),
    ),
    ProjectSpec(
        "cd-jinjiang",
        "安居·锦江府",
        "成都",
        "成都市锦江区锦华路一段66号",
        "028",
        (
            PhaseSpec("一期", 40, "TTSM"),
            PhaseSpec("二期", 18, "TTSSM"),
            PhaseSpec("三期", 6, "TTSMV"),
        ),
    ),
)
DEMO_CODES = tuple(spec.code for spec in PROJECTS)
SALES_MONTHS = 24  # sales launch this long before delivery (期房)


@dataclass(frozen=True)
class PhaseDates:
    launched: date
    delivered: date

    def is_delivered(self, today: date) -> bool:
        return self.delivered <= today


@dataclass
class Registry:
    projects: list[Project] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    phase_of_building: dict[int, PhaseDates] = field(default_factory=dict)
    spec_of_project: dict[int, ProjectSpec] = field(default_factory=dict)

    def dates(self, unit: Unit) -> PhaseDates:
        return self.phase_of_building[unit.building_id]


def create_registry(rng: random.Random, today: date) -> Registry:
    registry = Registry()
    for spec in PROJECTS:
        project = Project.objects.create(
            code=spec.code, name=spec.name, city=spec.city, address=spec.address
        )
        registry.projects.append(project)
        registry.spec_of_project[project.pk] = spec
        layouts = {
            s.code: Layout(
                project=project,
                name=s.name,
                bedrooms=s.bedrooms,
                living_rooms=s.living_rooms,
                bathrooms=s.bathrooms,
            )
            for s in LAYOUTS
        }
        Layout.objects.bulk_create(layouts.values())
        _create_phases(rng, registry, project, spec, layouts, today)
    return registry


def _create_phases(
    rng: random.Random,
    registry: Registry,
    project: Project,
    spec: ProjectSpec,
    layouts: dict[str, Layout],
    today: date,
) -> None:
    number = 0
    for order, phase_spec in enumerate(spec.phases, start=1):
        delivered = add_months(today, -phase_spec.delivered_months_ago)
        dates = PhaseDates(launched=add_months(delivered, -SALES_MONTHS), delivered=delivered)
        phase = Phase.objects.create(
            project=project, name=phase_spec.name, sort_order=order, launched_on=dates.launched
        )
        buildings = []
        for letter in phase_spec.buildings:
            number += 1
            buildings.append(
                Building(
                    project=project,
                    phase=phase,
                    number=str(number),
                    floors=PROFILES[letter].floors,
                    delivery_date=delivered,
                )
            )
        Building.objects.bulk_create(buildings)
        units: list[Unit] = []
        for building, letter in zip(buildings, phase_spec.buildings, strict=True):
            registry.phase_of_building[building.pk] = dates
            units.extend(_units_of(rng, building, PROFILES[letter], layouts, dates, today))
        registry.units.extend(Unit.objects.bulk_create(units))


def _units_of(
    rng: random.Random,
    building: Building,
    profile: BuildingProfile,
    layouts: dict[str, Layout],
    dates: PhaseDates,
    today: date,
) -> Iterator[Unit]:
    warranty_start = dates.delivered if dates.is_delivered(today) else None
    for entrance in range(1, profile.entrances + 1):
        for floor in range(1, profile.floors + 1):
            for position, code in enumerate(profile.layouts, start=1):
                room = f"{floor}{position:02d}"
                area = Decimal(f"{LAYOUT_AREA[code] + rng.uniform(-1.5, 1.5):.2f}")
                yield Unit(
                    project_id=building.project_id,
                    building=building,
                    entrance=str(entrance),
                    room=room,
                    code=unit_code(building.number, str(entrance), room),
                    floor=floor,
                    layout=layouts[code],
                    building_area=area,
                    delivery_date=dates.delivered,
                    warranty_start=warranty_start,
                )


# --- People ------------------------------------------------------------------------------
ZHANG_SAN_UNIT = "3-2-1801"  # the well-known owner of the demos and the browser test
ZHANG_SAN_ID = "11010119850312005X"
ANCHOR_COMPANY_UNITS = ("7-1-101", "7-1-102")
DISTRICTS = {
    "深圳": ("福田区", "南山区", "罗湖区", "宝安区", "龙岗区"),
    "杭州": ("西湖区", "上城区", "拱墅区", "滨江区", "余杭区"),
    "成都": ("锦江区", "武侯区", "青羊区", "成华区", "金牛区"),
}
ROADS = ("人民路", "建设路", "解放路", "中山路", "文化路", "和平路", "新华路", "花园路")
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "139.com")
PREFERENCES = (
    "偏好微信联系",
    "工作日晚上7点后方便接听电话",
    "周末请勿来电",
    "希望收到社区活动通知",
    "只接受短信通知",
    "上门前请提前一天预约",
)
SPECIAL_NEEDS = (
    "听力不好，请优先短信联系",
    "家有婴儿，上门请勿按门铃，先电话联系",
    "轮椅出行，需要无障碍通道",
    "对粉尘过敏，维修时请做好防护",
)
ELDERLY_NEEDS = ("家中老人行动不便，上门维修请提前电话预约", "老人独居，子女为紧急联系人")
TAG_ODDS = (("VIP", 0.03), ("老带新", 0.05), ("有老人同住", 0.08))


class PeopleMaker:
    """Plausible owner inputs: unique ID numbers, phones, consents, tags, needs."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng, self.today = rng, today
        self.used: set[str] = {ZHANG_SAN_ID}

    def _unique(self, make: Callable[[], str]) -> str:
        value = make()
        while value in self.used:
            value = make()
        self.used.add(value)
        return value

    def _maybe(self, choices: tuple[str, ...], odds: float) -> str:
        return self.rng.choice(choices) if self.rng.random() < odds else ""

    def address(self, city: str) -> str:
        rng = self.rng
        return f"{city}市{rng.choice(DISTRICTS[city])}{rng.choice(ROADS)}{rng.randint(1, 999)}号"

    def phones(self, area_code: str) -> list[PhoneInput]:
        rng = self.rng
        phones = [PhoneInput(fake_mobile(rng), label="本人", is_primary=True)]
        if rng.random() < 0.2:
            if rng.random() < 0.5:
                line = f"{area_code}-{rng.choice('2368')}{rng.randrange(10**7):07d}"
                phones.append(PhoneInput(line, label="家庭座机"))
            else:
                phones.append(PhoneInput(fake_mobile(rng), label="备用"))
        return phones

    def person(
        self,
        project_id: int,
        spec: ProjectSpec,
        *,
        investor: bool = False,
        gender: str = "",
        born: date | None = None,
        address: str | None = None,
    ) -> OwnerInput:
        rng = self.rng
        gender = gender or rng.choice("MF")
        birth = born or fake_birth_date(rng, today=self.today)
        name = fake_person_name(rng)
        tags = [tag for tag, odds in TAG_ODDS if rng.random() < odds]
        tags += ["投资客"] if investor else []
        needs = self._maybe(ELDERLY_NEEDS, 0.4) if "有老人同住" in tags else ""
        email = (
            f"{name_pinyin(name)}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}"
            if rng.random() < 0.25
            else ""
        )
        return OwnerInput(
            project_id=project_id,
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=self._unique(lambda: fake_resident_id(rng, birth_date=birth, gender=gender)),
            phones=self.phones(spec.area_code),
            email=email,
            address=self.address(spec.city)
            if address is None and rng.random() < 0.35
            else address or "",
            preferences=self._maybe(PREFERENCES, 0.12),
            special_needs=needs or self._maybe(SPECIAL_NEEDS, 0.02),
            tags=tags,
            consent_sms=rng.random() < 0.85,
            consent_phone=rng.random() < 0.92,
            consent_wechat=rng.random() < 0.6,
            consent_email=bool(email) and rng.random() < 0.7,
        )

    def spouse_of(self, first: OwnerInput, spec: ProjectSpec) -> OwnerInput:
        partner_born = first.birth_date or fake_birth_date(self.rng, today=self.today)
        born = partner_born + timedelta(days=self.rng.randint(-4 * 365, 4 * 365))
        born = min(born, self.today - timedelta(days=21 * 366))
        return self.person(
            first.project_id,
            spec,
            gender="F" if first.gender == "M" else "M",
            born=born,
            address=first.address,
        )

    def company(self, project_id: int, spec: ProjectSpec, name: str = "") -> OwnerInput:
        rng = self.rng
        contact = fake_person_name(rng)
        return OwnerInput(
            project_id=project_id,
            kind=Owner.Kind.COMPANY,
            name=name or self._unique(lambda: fake_company_name(rng)),
            id_type=IdType.BUSINESS_LICENCE,
            id_number=self._unique(lambda: fake_credit_code(rng)),
            phones=[
                PhoneInput(
                    f"{spec.area_code}-2{rng.randrange(10**7):07d}",
                    label="办公电话",
                    is_primary=True,
                ),
                PhoneInput(fake_mobile(rng), label=f"联系人{contact}"),
            ],
            address=self.address(spec.city),
            preferences="请联系行政部",
            consent_sms=True,
            consent_phone=True,
        )


def zhang_san_input(project_id: int) -> OwnerInput:
    return OwnerInput(
        project_id=project_id,
        name="张三",
        gender="M",
        birth_date=date(1985, 3, 12),
        id_number=ZHANG_SAN_ID,
        phones=[
            PhoneInput("13800138000", label="本人", is_primary=True),
            PhoneInput("0755-86012345", label="家庭座机"),
        ],
        email="zhangsan@example.com",
        address="深圳市南山区沙河西路3168号云湾花园3栋2单元1801",
        preferences="偏好微信联系；工作日晚上7点后方便接听电话",
        tags=["VIP", "老带新"],
        consent_sms=True,
        consent_phone=True,
        consent_wechat=True,
        consent_email=True,
    )


def anchor_company_input(people: PeopleMaker, project_id: int) -> OwnerInput:
    """A company owner to show on demos: staff housing of a property manager."""
    return people.company(project_id, PROJECTS[0], name="深圳市安泰物业服务有限公司")


# --- Owners and what they own -----------------------------------------------------------
SALE_WEIGHT_BY_AGE = ((24, 5.0), (12, 3.0), (0, 2.0))  # months delivered → weight
UNSOLD_WEIGHT = 1.0  # a phase still under construction sells less
CO_OWNED = 0.15
SECOND_UNIT = 0.06


def _sale_order(rng: random.Random, registry: Registry, today: date) -> list[Unit]:
    """Units in the order they sell: older phases are (nearly) sold out first."""

    def weight(unit: Unit) -> float:
        delivered = registry.dates(unit).delivered
        for months, value in SALE_WEIGHT_BY_AGE:
            if delivered <= add_months(today, -months):
                return value
        return UNSOLD_WEIGHT

    keyed = [(rng.random() ** (1.0 / weight(unit)), unit) for unit in registry.units]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [unit for _, unit in keyed]


@dataclass(frozen=True)
class Purchase:
    status: str
    subscription_date: date
    contract_date: date | None
    handover_date: date | None


def purchase_for(rng: random.Random, dates: PhaseDates, today: date) -> Purchase:
    """Dates that follow the sale: subscription < contract < handover (≈ delivery)."""
    latest = min(dates.delivered - timedelta(days=60), today - timedelta(days=45))
    span = max((latest - dates.launched).days, 0)
    subscribed = dates.launched + timedelta(days=rng.randint(0, span))
    contracted = min(subscribed + timedelta(days=rng.randint(7, 30)), today)
    if dates.is_delivered(today):
        if rng.random() < 0.03:  # keys not collected yet
            return Purchase(Ownership.Status.CONTRACTED, subscribed, contracted, None)
        handover = min(dates.delivered + timedelta(days=rng.randint(0, 20)), today)
        return Purchase(Ownership.Status.HANDED_OVER, subscribed, contracted, handover)
    if rng.random() < 0.08:
        recent = today - timedelta(days=rng.randint(1, 20))
        return Purchase(Ownership.Status.SUBSCRIBED, recent, None, None)
    return Purchase(Ownership.Status.CONTRACTED, subscribed, contracted, None)


class OwnerLoader:
    """Creates owner files and sells them units through the services."""

    def __init__(self, rng: random.Random, registry: Registry, today: date) -> None:
        self.rng, self.registry, self.today = rng, registry, today
        self.people = PeopleMaker(rng, today)
        self.created = 0

    def create(self, data: OwnerInput) -> Owner:
        self.created += 1
        return owner_create(actor=None, data=data, today=self.today)

    def sell(self, unit: Unit, owners: list[Owner]) -> None:
        purchase = purchase_for(self.rng, self.registry.dates(unit), self.today)
        share = Decimal(100) / len(owners)
        for owner in owners:
            ownership_create(
                actor=None,
                owner=owner,
                unit=unit,
                share=share,
                status=purchase.status,
                subscription_date=purchase.subscription_date,
                contract_date=purchase.contract_date,
                handover_date=purchase.handover_date,
            )

    def household(self, unit: Unit, extra: Unit | None, *, budget: int) -> None:
        spec = self.registry.spec_of_project[unit.project_id]
        first = self.people.person(unit.project_id, spec, investor=extra is not None)
        buyers = [self.create(first)]
        if budget >= 2 and self.rng.random() < CO_OWNED:
            buyers.append(self.create(self.people.spouse_of(first, spec)))
        self.sell(unit, buyers)
        if extra is not None:
            self.sell(extra, buyers[:1])

    def company(self, units: list[Unit], data: OwnerInput | None = None) -> None:
        spec = self.registry.spec_of_project[units[0].project_id]
        owner = self.create(data or self.people.company(units[0].project_id, spec))
        for unit in units:
            self.sell(unit, [owner])


def _find_unit(registry: Registry, code: str) -> Unit:
    """A unit of the first demo project by its house number."""
    project_id = registry.projects[0].pk
    return next(u for u in registry.units if u.project_id == project_id and u.code == code)


def load_owners(rng: random.Random, registry: Registry, owners: int, today: date) -> int:
    """Sell units to `owners` owner files (fewer if units run out); return how many."""
    loader = OwnerLoader(rng, registry, today)
    zhang = _find_unit(registry, ZHANG_SAN_UNIT)
    anchor = [_find_unit(registry, code) for code in ANCHOR_COMPANY_UNITS]
    reserved = {zhang.pk, *(unit.pk for unit in anchor)}
    queue = deque(u for u in _sale_order(rng, registry, today) if u.pk not in reserved)
    loader.sell(zhang, [loader.create(zhang_san_input(zhang.project_id))])
    if owners > 1:
        loader.company(anchor, anchor_company_input(loader.people, anchor[0].project_id))
    for _ in range(max(owners // 100 - 1, 0)):  # ~30 companies for 3,000 owners
        if len(queue) < 3:
            break
        # Companies buy what sells slowest (the queue's tail), one to three units each.
        loader.company([queue.pop() for _ in range(rng.choice((1, 1, 2, 3)))])
    while loader.created < owners and queue:
        unit = queue.popleft()
        extra = queue.popleft() if queue and rng.random() < SECOND_UNIT else None
        loader.household(unit, extra, budget=owners - loader.created)
    return loader.created


# --- Logins ------------------------------------------------------------------------------
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


# --- The whole load ----------------------------------------------------------------------
COUNT_LABELS = {
    "projects": "项目 projects",
    "phases": "分期 phases",
    "buildings": "楼栋 buildings",
    "units": "房屋 units",
    "owners": "业主 owners",
    "companies": "其中企业 companies",
    "ownerships": "产权 ownerships",
    "co_owned_units": "共有房屋 co-owned units",
}


@dataclass
class DemoResult:
    created: bool
    seconds: float
    counts: dict[str, int]
    logins: list[Login]


def demo_counts() -> dict[str, int]:
    projects = Project.objects.filter(code__in=DEMO_CODES)
    ownerships = Ownership.objects.active().filter(unit__project__in=projects)
    co_owned = ownerships.values("unit").annotate(n=Count("owner")).filter(n__gt=1).count()
    owners = Owner.objects.filter(ownerships__in=ownerships).distinct()
    return {
        "projects": projects.count(),
        "phases": Phase.objects.filter(project__in=projects).count(),
        "buildings": Building.objects.filter(project__in=projects).count(),
        "units": Unit.objects.filter(project__in=projects).count(),
        "owners": owners.count(),
        "companies": owners.filter(kind=Owner.Kind.COMPANY).count(),
        "ownerships": ownerships.count(),
        "co_owned_units": co_owned,
    }


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    owners: int = DEFAULT_OWNERS,
    password: str | None = None,
    reset_passwords: bool = False,
    today: date | None = None,
) -> DemoResult:
    started = time.monotonic()
    today = today or timezone.localdate()
    created = not Project.objects.filter(code__in=DEMO_CODES).exists()
    with transaction.atomic():
        if created:
            rng = random.Random(seed)
            registry = create_registry(rng, today)
            load_owners(rng, registry, owners, today)
        logins = ensure_users(password or demo_password(), reset_passwords=reset_passwords)
    return DemoResult(created, time.monotonic() - started, demo_counts(), logins)


def render_result(result: DemoResult, url: str = "http://127.0.0.1:8000") -> str:
    lines = []
    if result.created:
        lines.append(f"演示数据已载入 Demo data loaded in {result.seconds:.1f} s:")
    else:
        lines.append("演示数据已存在，未重复载入 Demo data already present, nothing duplicated:")
    counts = (f"{COUNT_LABELS[name]} {value}" for name, value in result.counts.items())
    lines.append("  " + ", ".join(counts))
    lines.append("")
    header = ("角色 Role", "用户名 Username", "密码 Password", "项目 Projects")
    rows = [header] + [
        (
            login.role_label,
            login.username,
            login.password or "（已修改 changed: --reset-passwords）",
            "、".join(login.projects) or "—",
        )
        for login in result.logins
    ]
    lines.extend(_table(rows))
    lines += ["", f"打开 Open {url}"]
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]

    def line(row: tuple[str, ...]) -> str:
        return "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        )

    rule = "  ".join("-" * w for w in widths)
    return [line(rows[0]).rstrip(), rule] + [line(row).rstrip() for row in rows[1:]]
