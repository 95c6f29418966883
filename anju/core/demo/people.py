"""Demo owners: plausible people and companies, sold units through the owner services.

Owners and ownerships go through `owner_create` and `ownership_create`, so every file is
complete exactly as the services make it: ciphertexts, blind indexes, masked forms,
search keys, the "created" owner event and change-log rows.
"""

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from anju.core.demo.registry import PROJECTS, PhaseDates, ProjectSpec, Registry
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
from anju.properties.models import Unit

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
