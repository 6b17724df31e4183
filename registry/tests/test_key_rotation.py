"""The registry's facts under a new key, cipher and hash (issue #20 item 10): sensitive values
re-encrypted, every fact's hash recomputed, and the verifier passes."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from core import field_crypto, key_rotation, personal_data
from registry.models import Fact


@pytest.mark.django_db
def test_facts_rotate_to_sm4_and_rehash_to_sm3(filled, settings):
    sensitive = Fact.objects.exclude(value_enc="")
    assert sensitive.exists() and Fact.objects.filter(value_enc="").exists()
    before = {f.pk: personal_data.decrypt(f.value_enc) for f in sensitive}
    settings.DATA_ENCRYPTION_OLD_KEYS = [settings.DATA_ENCRYPTION_KEY]
    settings.DATA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.FIELD_CIPHER = "sm4"
    settings.HASH_ALGORITHM = "hmac-sm3"
    call_command("personal_data_rotate", "--rehash", stdout=io.StringIO())
    settings.DATA_ENCRYPTION_OLD_KEYS = []
    after = {f.pk: f for f in Fact.objects.exclude(value_enc="")}
    assert {pk: personal_data.decrypt(f.value_enc) for pk, f in after.items()} == before
    assert all(f.value_enc.startswith("sm4:") for f in after.values())
    [people, facts] = key_rotation.verify()
    assert facts.label == "registry.fact" and facts.sound and facts.old_key == 0
    assert people.sound and people.current == people.fields
    assert personal_data.find_by_id_number("320104192805271137") is not None
    plain = Fact.objects.filter(value_enc="").select_related("field").first()
    assert plain.value_hash == field_crypto.keyed_hash(f"fact:{plain.field.key}:{plain.value}")
