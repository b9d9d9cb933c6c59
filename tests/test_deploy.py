"""The shipped deployment files (deploy/) agree with each other and with the settings: one
port, one data directory, one settings file, and only EZIOX_ names that exist. Caddy itself
runs deploy/Caddyfile in tests/process/test_reverse_proxy.py."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

from eziox.config import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _unit() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)  # keys: lower case
    parser.read_string((DEPLOY / "eziox.service").read_text())
    return parser["Service"]


def _env_names() -> list[str]:
    text = (DEPLOY / "eziox.env").read_text()
    return re.findall(r"^#?(EZIOX_[A-Z0-9_]+)=", text, re.MULTILINE)


def _env_value(name: str) -> str:
    found = re.search(rf"^{name}=(\S+)$", (DEPLOY / "eziox.env").read_text(), re.MULTILINE)
    assert found, f"deploy/eziox.env sets {name}"
    return found[1]


def test_env_file_names_only_real_settings() -> None:
    known = {f"EZIOX_{name.upper()}" for name in Settings.model_fields}
    names = _env_names()
    assert names
    assert set(names) - known == set()
    assert _env_value("EZIOX_PUBLIC_URL").startswith("https://")  # Secure cookies


def test_unit_serves_on_loopback_behind_caddy_on_the_data_dir() -> None:
    service = _unit()
    program, command, *options = shlex.split(service["execstart"])
    assert command == "serve"
    given = dict(zip(options[::2], options[1::2], strict=True))
    assert given == {"--host": "127.0.0.1", "--port": "8000", "--forwarded-allow-ips": "127.0.0.1"}
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    upstreams = set(re.findall(r"(?:reverse_proxy|ask) (?:http://)?([\d.]+:\d+)", caddyfile))
    assert upstreams == {"127.0.0.1:8000"}
    data_dir = _env_value("EZIOX_DATA_DIR")
    assert service["workingdirectory"] == service["readwritepaths"] == data_dir
    assert service["protectsystem"] == "strict"
    admin = (DEPLOY / "eziox-admin").read_text()
    assert f". {service['environmentfile']}\n" in admin
    assert f"runuser -u {service['user']} -- {program} " in admin
