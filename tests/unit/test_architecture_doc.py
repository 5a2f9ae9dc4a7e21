"""docs/architecture.md's layout describes the code as built: every module it names exists
(unless marked planned), and every module of the package is named."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "rendezvous"


def _layout() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text[text.index("## Layout") :]
    block = section[section.index("```") + 3 :]
    return block[: block.index("```")].splitlines()


def test_every_module_the_layout_names_exists_unless_planned() -> None:
    existing = {p.name for p in PACKAGE.rglob("*.py")} | {
        p.name + "/" for p in PACKAGE.rglob("*") if p.is_dir()
    }
    missing = []
    for line in _layout():
        if "(planned" in line:
            continue
        for name in re.findall(r"\b([a-z_]+\.py|[a-z_]+/)(?=[\s,]|$)", line):
            top = {"src/", "rendezvous/", "tests/", "bench/", "unit/", "integration/", "fuzz/"}
            if name not in existing and name not in top:
                missing.append((name, line.strip()))
    assert missing == []


def test_every_module_of_the_package_is_named_in_the_layout() -> None:
    text = "\n".join(_layout())
    unnamed = []
    for folder in (PACKAGE, PACKAGE / "api", PACKAGE / "domain", PACKAGE / "db"):
        for module in folder.glob("*.py"):
            if module.name != "__init__.py" and module.name not in text:
                unnamed.append(str(module.relative_to(PACKAGE)))
    assert unnamed == []
