"""Field encryption, key rotation and blind indexes, with the two maintenance commands."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from anju.core.testing.factories import make_owner
from anju.owners.models import Owner, OwnerPhone
from anju.owners.personal_data import id_number_index, phone_index
from anju.owners.selectors import search_owners
from anju.security import crypto
from anju.security.management.commands.rotate_field_keys import encrypted_columns

MOBILE = "13912345678"


def _new_key() -> str:
    return Fernet.generate_key().decode()


def test_encrypt_decrypt_round_trip():
    # given a clear value / when encrypted
    token = crypto.encrypt("11010519491231002X")
    # then the token hides it and decrypts back
    assert "11010519491231002X" not in token
    assert crypto.decrypt(token) == "11010519491231002X"


def test_encryption_is_randomised():
    # given the same value twice / then two different tokens (Fernet uses a random IV)
    assert crypto.encrypt(MOBILE) != crypto.encrypt(MOBILE)


def test_unknown_key_cannot_decrypt():
    # given a token made under a key that is not configured
    token = Fernet(_new_key().encode()).encrypt(b"secret").decode()
    # when decrypted / then a DecryptionError, not the clear value
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_rotation_with_two_keys():
    # given a token under the old key
    old = settings.ANJU_FIELD_KEYS[0]
    token = crypto.encrypt(MOBILE)
    new = _new_key()
    # when the new key is prepended
    with override_settings(ANJU_FIELD_KEYS=[new, old]):
        # then the old token still decrypts, and rotation moves it under the new key
        assert crypto.decrypt(token) == MOBILE
        rotated = crypto.rotate(token)
        assert crypto.decrypt(rotated) == MOBILE
    # and once the old key is dropped only the rotated token decrypts
    with override_settings(ANJU_FIELD_KEYS=[new]):
        assert crypto.decrypt(rotated) == MOBILE
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token)


def test_blind_index_is_deterministic_and_key_dependent():
    # given the same value / then the same digest
    assert crypto.blind_index("phone", MOBILE) == crypto.blind_index("phone", MOBILE)
    assert len(crypto.blind_index("phone", MOBILE)) == 32
    # but a different purpose or value gives another digest
    assert crypto.blind_index("id_number", MOBILE) != crypto.blind_index("phone", MOBILE)
    assert crypto.blind_index("phone", "13912345679") != crypto.blind_index("phone", MOBILE)
    # and another key gives another digest
    before = crypto.blind_index("phone", MOBILE)
    with override_settings(ANJU_BLIND_INDEX_KEY="another-key"):
        assert crypto.blind_index("phone", MOBILE) != before


def test_encrypted_columns_are_found_by_suffix():
    # when the models are scanned / then both personal-data ciphers are found
    found = {model._meta.label: names for model, names in encrypted_columns()}
    assert found["owners.Owner"] == ["id_number_cipher"]
    assert found["owners.OwnerPhone"] == ["number_cipher"]


def test_rotate_field_keys_reencrypts_every_owner(project):
    # given owners encrypted under the old key
    old = settings.ANJU_FIELD_KEYS[0]
    owners = [make_owner(project) for _ in range(3)]
    clear = {o.pk: crypto.decrypt(o.id_number_cipher) for o in owners}
    new = _new_key()
    out = StringIO()
    # when a new key is prepended and the command runs (small batches)
    with override_settings(ANJU_FIELD_KEYS=[new, old]):
        call_command("rotate_field_keys", "--batch-size=2", stdout=out)
    # then it reports the counts
    assert "owners.Owner: 3 values re-encrypted" in out.getvalue()
    assert "owners.OwnerPhone: 3 values re-encrypted" in out.getvalue()
    # and with the old key gone every value still decrypts to the same clear value
    with override_settings(ANJU_FIELD_KEYS=[new]):
        for owner in Owner.objects.filter(pk__in=clear):
            assert crypto.decrypt(owner.id_number_cipher) == clear[owner.pk]
        for phone in OwnerPhone.objects.all():
            assert len(crypto.decrypt(phone.number_cipher)) == 11


def test_rebuild_blind_indexes_keeps_phone_search_working(project, make_user):
    # given an owner found by phone under the current index key
    owner = make_owner(project, phones=[MOBILE])
    user = make_user("front_desk", projects=[project])
    assert search_owners(user, MOBILE).owners == [owner]
    masked_before = list(OwnerPhone.objects.values_list("number_masked", flat=True))
    id_masked_before = Owner.objects.get().id_number_masked
    with override_settings(ANJU_BLIND_INDEX_KEY="rotated-blind-index-key"):
        # when the index key changes, search misses until the indexes are rebuilt
        assert search_owners(user, MOBILE).owners == []
        out = StringIO()
        call_command("rebuild_blind_indexes", stdout=out)
        # then search by phone (and by ID number) works again
        assert search_owners(user, MOBILE).owners == [owner]
        owner.refresh_from_db()
        clear_id = crypto.decrypt(owner.id_number_cipher)
        assert owner.id_number_index == id_number_index(clear_id)
        assert search_owners(user, clear_id).owners == [owner]
        assert OwnerPhone.objects.get().number_index == phone_index(MOBILE)
    # and the report names both indexes; masked twins are unchanged
    assert "owners.Owner.id_number_index: 1 rows checked, 1 updated" in out.getvalue()
    assert "owners.OwnerPhone.number_index: 1 rows checked, 1 updated" in out.getvalue()
    assert list(OwnerPhone.objects.values_list("number_masked", flat=True)) == masked_before
    assert Owner.objects.get().id_number_masked == id_masked_before


def test_rebuild_blind_indexes_is_idempotent(project):
    # given indexes already current
    make_owner(project)
    out = StringIO()
    # when rebuilt / then nothing changes
    call_command("rebuild_blind_indexes", stdout=out)
    assert "1 rows checked, 0 updated" in out.getvalue()
