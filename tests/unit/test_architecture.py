"""The pure core stays pure: importing the domain loads no framework, ORM or validation library."""

from __future__ import annotations

import subprocess
import sys


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
