"""The README's configuration table names every setting the program reads, with its default."""

from __future__ import annotations

import re
from pathlib import Path

from rendezvous.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def _rows() -> dict[str, str]:
    rows = re.findall(r"^\| `(RENDEZVOUS_[A-Z_]+)` \| ([^|]*) \|", README.read_text(), re.M)
    return {name: default.strip() for name, default in rows}


def test_every_setting_has_a_row_in_the_readme_configuration_table() -> None:
    documented = _rows()
    settings = {"RENDEZVOUS_" + name.upper() for name in Settings.model_fields}
    assert settings - documented.keys() == set()
    assert documented.keys() - settings == set()


def test_the_documented_defaults_are_the_real_ones() -> None:
    documented = _rows()
    for name, field in Settings.model_fields.items():
        default = field.default
        row = documented["RENDEZVOUS_" + name.upper()]
        if name == "public_url":
            assert "RENDEZVOUS_PORT" in row  # follows the port when unset
        elif default is None:
            assert row == "unset", name
        else:
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            assert row.startswith(f"`{shown}`"), (name, row)
