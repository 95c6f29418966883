"""Name search keys: surname readings, company suffixes, caps and dedup."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anju.owners.rules.names import (
    MAX_KEY_LENGTH,
    MAX_READING_COMBINATIONS,
    _suffixes,
    name_initials,
    name_pinyin,
    name_search_keys,
    normalize_search_text,
)


def _fullwidth(text: str) -> str:
    """What a Chinese IME in full-width mode produces for ASCII ``text``."""
    return text.translate({code: code + 0xFEE0 for code in range(0x21, 0x7F)})


def test_plain_person_name():
    # given an unambiguous name / when keyed / then name, pinyin, initials in that order
    assert name_search_keys("张三", is_company=False) == ["张三", "zhangsan", "zs"]


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("曾国藩", "zengguofan", "zgf"),  # pypinyin alone says "ceng"
        ("单田芳", "shantianfang", "stf"),  # "dan"
        ("解晓东", "xiexiaodong", "xxd"),  # "jie"
        ("仇英", "qiuying", "qy"),  # "chou"
        ("区志强", "ouzhiqiang", "ozq"),  # "qu"
        ("朴槿惠", "piaojinhui", "pjh"),  # "pu"
        ("查良镛", "zhaliangyong", "zly"),  # "cha"
        ("翟天临", "zhaitianlin", "ztl"),  # "di"
        ("覃海洋", "qinhaiyang", "qhy"),  # "tan"
        ("单于云", "chanyuyun", "cyy"),  # compound surname, not "shan"
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("长孙无忌", "zhangsunwuji", "zswj"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("吕布", "lvbu", "lb"),  # ü is typed as v
    ],
)
def test_surname_aware_readings(name, pinyin, initials):
    # given a person name whose surname is polyphonic
    # when converted / then the surname reading is preferred
    assert name_pinyin(name) == pinyin
    assert name_initials(name) == initials
    keys = name_search_keys(name, is_company=False)
    assert keys[:3] == [name, pinyin, initials]


def test_dictionary_reading_stays_available_as_alternative():
    # given a surname reading that could be wrong for this family
    keys = name_search_keys("曾国藩", is_company=False)
    # then the dictionary reading is still searchable, after the preferred one
    assert keys.index("zengguofan") < keys.index("cengguofan")
    assert "cgf" in keys


def test_company_names_get_no_surname_reading():
    # given the same characters as a person and as a company
    # then only the person gets the surname reading of 单
    assert name_pinyin("单元", is_company=False) == "shanyuan"
    assert name_pinyin("单元", is_company=True) == "danyuan"


def test_company_suffixes_make_substrings_prefix_searchable():
    # given a company name
    keys = name_search_keys("深圳市万科物业", is_company=True)
    # then every suffix of 2+ characters is a key, so "万科" prefix-matches
    for suffix in ["深圳市万科物业", "圳市万科物业", "市万科物业", "万科物业", "科物业", "物业"]:
        assert suffix in keys
    assert "业" not in keys
    assert any(key.startswith("万科") for key in keys)
    # and the whole name's pinyin and initials are there too
    assert "shenzhenshiwankewuye" in keys
    assert "szswkwy" in keys
    assert keys[0] == "深圳市万科物业"


def test_company_suffixes_skip_leading_punctuation():
    keys = name_search_keys(_fullwidth("万科(深圳)物业"), is_company=True)
    assert "万科(深圳)物业" in keys  # NFKC turns full-width brackets into ASCII
    assert "深圳)物业" in keys
    assert not any(key.startswith(("(", ")")) for key in keys)


@pytest.mark.parametrize(
    ("name", "is_company", "expected_subset"),
    [
        ("Tom李", False, ["tom李", "tomli", "toml"]),
        ("ABC物业", True, ["abc物业", "abcwuye", "abcwy"]),
        ("  José  Pérez ", False, ["josé pérez", "joseperez"]),
        ("58同城", True, ["58同城", "58tongcheng", "58tc"]),
    ],
)
def test_non_chinese_characters_are_kept_lowercase(name, is_company, expected_subset):
    keys = name_search_keys(name, is_company=is_company)
    for key in expected_subset:
        assert key in keys


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_empty_names_have_no_keys(name):
    assert name_search_keys(name, is_company=False) == []
    assert name_pinyin(name) == ""
    assert name_initials(name) == ""


def test_reading_combinations_are_capped():
    # given a name whose characters have many readings (2*3*2*4 = 48 combinations)
    keys = name_search_keys("阿卜杜·买买提", is_company=False)
    # then at most 8 pinyin + 8 initials keys follow the name
    assert len(keys) <= 1 + 2 * MAX_READING_COMBINATIONS
    assert keys[0] == "阿卜杜·买买提"


def test_keys_are_cut_to_64_characters():
    # given a very long company name
    name = "深圳市" + "万科物业服务" * 20 + "有限公司"
    keys = name_search_keys(name, is_company=True)
    # then no key exceeds the limit and cut keys are still prefixes
    assert all(len(key) <= MAX_KEY_LENGTH for key in keys)
    assert keys[0] == name[:MAX_KEY_LENGTH]
    assert any(key.startswith("shenzhenshiwankewuyefuwu") for key in keys)


def test_normalize_search_text_matches_key_normalisation():
    # given a query typed with full-width letters and extra spaces
    # then it normalises the same way as the stored keys
    assert normalize_search_text(_fullwidth("  ZHANG") + "   San ") == "zhang san"


# --- properties -------------------------------------------------------------

# Common characters plus polyphonic surnames, to exercise the heteronym paths.
CHINESE = "张王李赵曾单解仇区朴查翟长重乐万俟尉迟国强华明小东红军行藏圳市科物业公司阿卜买提"
names = st.text(alphabet=CHINESE + "ab ·", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(name=names, is_company=st.booleans())
def test_keys_are_lowercase_unique_bounded_and_include_pinyin(name, is_company):
    keys = name_search_keys(name, is_company=is_company)
    text = normalize_search_text(name)
    if not text:
        assert keys == []
        return
    assert keys[0] == text[:MAX_KEY_LENGTH]
    assert len(keys) == len(set(keys))
    assert all(key == key.lower() and 0 < len(key) <= MAX_KEY_LENGTH for key in keys)
    # a company's Latin suffixes ("aa" in "仇单aa") are substring keys, not readings
    name_keys = {text[:MAX_KEY_LENGTH], *(s[:MAX_KEY_LENGTH] for s in _suffixes(text))}
    reading_keys = [key for key in keys if key.isascii() and key not in name_keys]
    assert len(reading_keys) <= 2 * MAX_READING_COMBINATIONS
    if name_pinyin(name, is_company=is_company):
        assert name_pinyin(name, is_company=is_company) in keys
        assert name_initials(name, is_company=is_company) in keys
