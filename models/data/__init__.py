"""Data shipped with ansinh: Lạng Sơn's administrative units and the Vietnamese bank list."""

from pathlib import Path

DATA_DIR = Path(__file__).parent
UNITS_FILE = DATA_DIR / "lang-son-units.json"
BANKS_FILE = DATA_DIR / "banks.json"
