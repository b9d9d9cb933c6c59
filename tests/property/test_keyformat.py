"""Property tests for the key format: keys round-trip, any one-character slip is caught."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from eziox.apikeys import keyformat
from eziox.kit import base62

bodies = st.text(alphabet=base62.ALPHABET, min_size=26, max_size=26)
positions = st.integers(min_value=0, max_value=keyformat.KEY_LENGTH - 1)


def key_of(body: str) -> str:
    return keyformat.PREFIX + body + keyformat.checksum(body)


@given(bodies)
def test_any_body_with_its_checksum_is_well_formed(body: str) -> None:
    key = key_of(body)
    assert len(key) == keyformat.KEY_LENGTH
    assert keyformat.is_well_formed(key)
    assert keyformat.digest(key) == keyformat.digest(str(key))  # stable, no hidden state


@given(bodies, positions, st.characters(codec="ascii"))
def test_any_single_character_change_is_detected(body: str, position: int, char: str) -> None:
    key = key_of(body)
    changed = key[:position] + char + key[position + 1 :]
    if changed != key:
        assert not keyformat.is_well_formed(changed), (key, changed)


@given(bodies, st.integers(min_value=1, max_value=keyformat.KEY_LENGTH - 1))
def test_truncated_or_extended_keys_are_refused(body: str, cut: int) -> None:
    key = key_of(body)
    assert not keyformat.is_well_formed(key[:cut])
    assert not keyformat.is_well_formed(key + key[:cut])


def test_generated_keys_round_trip() -> None:
    for _ in range(200):
        new = keyformat.generate()
        assert keyformat.is_well_formed(new.secret)
        assert new.digest == keyformat.digest(new.secret)
        assert new.secret.startswith(new.display_prefix)
        assert new.secret.endswith(new.last4)
        body = new.secret[len(keyformat.PREFIX) : len(keyformat.PREFIX) + keyformat.RANDOM_LENGTH]
        assert new.secret == key_of(body)
