import re

import pytest

from eziox.apikeys import keyformat

SCANNER_PATTERN = re.compile(r"^ezx_[A-Za-z0-9]{32}$")


def test_generated_keys_match_the_published_pattern_and_verify() -> None:
    for _ in range(200):
        new = keyformat.generate()
        assert SCANNER_PATTERN.match(new.secret)
        assert keyformat.is_well_formed(new.secret)
        assert new.digest == keyformat.digest(new.secret)
        assert new.display_prefix == new.secret[:8]
        assert new.last4 == new.secret[-4:]


def test_every_single_character_typo_is_caught() -> None:
    secret = keyformat.generate().secret
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    for position in range(4, len(secret)):
        for replacement in alphabet[:20]:
            if replacement == secret[position]:
                continue
            typo = secret[:position] + replacement + secret[position + 1 :]
            assert not keyformat.is_well_formed(typo), typo


@pytest.mark.parametrize(
    "candidate",
    ["", "ezx_", "ezx_short", "EZX_" + "a" * 32, "ezx_" + "a" * 33, "ezx_" + "-" * 32, "sk_live_x"],
)
def test_malformed_candidates_are_refused(candidate: str) -> None:
    assert not keyformat.is_well_formed(candidate)


def test_truncated_key_is_refused() -> None:
    secret = keyformat.generate().secret
    assert not keyformat.is_well_formed(secret[:-1])
    assert not keyformat.is_well_formed(
        secret[:-1] + "0" if secret[-1] != "0" else secret[:-1] + "1"
    )


def test_masked_form_never_reveals_the_middle() -> None:
    new = keyformat.generate()
    shown = keyformat.masked(new.display_prefix, new.last4)
    assert shown == f"{new.secret[:8]}…{new.secret[-4:]}"
    assert new.secret[8:-4] not in shown
