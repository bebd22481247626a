"""`make bench`: run the benchmarks and print their figures (`python -m bench --help`)."""

from __future__ import annotations

import argparse
import asyncio

from bench import imports
from bench.common import databases, show


def main() -> None:
    """Parse the arguments and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(description="ansinh benchmarks")
    parser.add_argument("which", nargs="*", default=["import"], help="import")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], help="only this database")
    parser.add_argument("--rows", type=int, default=100_000, help="rows to import")
    args = parser.parse_args()
    kinds = databases(args.db)
    if "import" in args.which:
        show("Import of beneficiary lists", asyncio.run(imports.run(kinds, args.rows)))


if __name__ == "__main__":
    main()
