"""Realistic synthetic owners for the demo, the tests and the benchmarks.

Names follow common surname frequencies; ID numbers use real county codes with made-up
sequence numbers and correct check characters; mobiles use allocated prefixes.
"""

import random
from datetime import date, timedelta

from anju.owners.rules.idnumbers import resident_id_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉建华玲建国红梅飞鑫波斌"
    "宇浩凯婷雪琳晨欣怡子轩梓涵一诺浩然宇轩欣妍思远俊杰志强海燕丹丹晓东春梅文博嘉怡雨桐佳琪"
)
COMPANY_PARTS = (
    ("深圳市", "广州", "杭州", "上海", "成都", "南京"),
    ("万家", "安泰", "华盛", "鸿运", "瑞丰", "嘉禾", "恒信", "远航"),
    ("贸易", "科技", "投资", "物流", "餐饮", "实业"),
    ("有限公司", "股份有限公司"),
)
COUNTIES = ("110105", "310104", "440305", "330106", "510107", "120101", "320102", "420106")
MOBILE_PREFIXES = ("135", "136", "137", "138", "139", "150", "158", "186", "189", "177", "199")


def fake_person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    length = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN) for _ in range(length))


def fake_company_name(rng: random.Random) -> str:
    return "".join(rng.choice(part) for part in COMPANY_PARTS)


def fake_birth_date(rng: random.Random, *, today: date) -> date:
    return today - timedelta(days=rng.randint(23 * 365, 75 * 365))


def fake_resident_id(
    rng: random.Random, *, birth_date: date, gender: str, serial: int | None = None
) -> str:
    """A valid resident ID; with `serial`, distinct serials give distinct numbers for the
    same birth date and gender (up to 4,000), where random ones collide now and then."""
    if serial is None:
        county, sequence = rng.choice(COUNTIES), rng.randrange(0, 999)
    else:
        county, sequence = COUNTIES[serial // 500 % len(COUNTIES)], serial % 500 * 2
    if (sequence % 2 == 1) != (gender == "M"):
        sequence = (sequence + 1) % 1000
    body = f"{county}{birth_date:%Y%m%d}{sequence:03d}"
    return body + resident_id_check_char(body)


def fake_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def fake_credit_code(rng: random.Random) -> str:
    """A unified social credit code with a correct GB 32100-2015 check character."""
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    body = "91" + rng.choice(COUNTIES) + "".join(rng.choice(charset) for _ in range(9))
    total = sum(charset.index(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + charset[(31 - total % 31) % 31]
