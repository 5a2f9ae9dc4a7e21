"""The pure core stays pure: importing the domain loads no framework, ORM or validation library."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rendezvous.api.routers as routers


def test_importing_the_domain_loads_no_framework():
    code = (
        "import sys, pkgutil, importlib, rendezvous.domain as d\n"
        "for m in pkgutil.walk_packages(d.__path__, 'rendezvous.domain.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in ('fastapi', 'pydantic', 'sqlalchemy', 'starlette', 'httpx')"
        " if n in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_services_do_not_import_the_database_layer():
    code = (
        "import sys, pkgutil, importlib, rendezvous.services as s\n"
        "for m in pkgutil.walk_packages(s.__path__, 'rendezvous.services.'):\n"
        "    importlib.import_module(m.name)\n"
        "mods = ('sqlalchemy', 'fastapi', 'rendezvous.db')\n"
        "print(','.join(n for n in mods if n in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_routers_do_not_import_the_database_layer():
    """Routers reach the database through services and the named dependencies of api/deps.py."""
    offenders = []
    for path in sorted(Path(routers.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("rendezvous.db")]
    assert offenders == []
