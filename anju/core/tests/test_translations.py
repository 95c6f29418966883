"""The Chinese catalogue is complete, compiled, and what the console shows by default."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_every_message_has_a_chinese_translation():
    # given the catalogue
    po = polib.pofile(str(CATALOGUE / "django.po"))
    # then nothing is untranslated or fuzzy (run `make messages` after adding strings)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_the_compiled_catalogue_matches_the_source():
    # given the .po and the committed .mo
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    # then the .mo was compiled from this .po
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo}
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in po}
    assert compiled == source


@pytest.mark.django_db
def test_the_console_speaks_chinese_unless_english_is_chosen(client):
    # when a browser that prefers English opens the login page
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    # then it is still Chinese (the default), until English is chosen in the navbar
    assert 'lang="zh-hans"' in page.content.decode()
    assert "登录" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    english = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in english
    assert "Sign in" in english
