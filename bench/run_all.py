"""Run every benchmark in bench/ (each *.py but this one and _-prefixed helpers) as a subprocess,
streaming its JSON lines to stdout. Exits non-zero if any benchmark fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks() -> list[Path]:
    return sorted(
        path
        for path in HERE.glob("*.py")
        if path.name != Path(__file__).name and not path.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    """``run_all.py [NAME ...]`` runs only the named benchmarks (file stems), if any are given."""
    selected = [p for p in benchmarks() if not argv or p.stem in argv]
    unknown = set(argv) - {p.stem for p in selected}
    if unknown:
        print(f"run_all: no benchmark named {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    failed = []
    for path in selected:
        print(f"run_all: {path.name}", file=sys.stderr, flush=True)
        # stdout is inherited: each JSON line reaches our stdout as soon as the benchmark prints it.
        code = subprocess.call([sys.executable, str(path)], cwd=HERE.parent)
        if code != 0:
            print(f"run_all: {path.name} failed with exit code {code}", file=sys.stderr)
            failed.append(path.name)
    if failed:
        print(f"run_all: {len(failed)} failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
