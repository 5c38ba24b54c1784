"""Demo data: the seed documents (published by the wards, copied here so the product is self-contained)
and a builder of fictional wards of any size for benchmarks."""

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
NAKANO_PROGRESS = SEEDS_DIR / "003_851246767f938c12.txt"
ARAKAWA_SHEETS = SEEDS_DIR / "000_6736268acf8379d0.txt"
KOTO_AUDIT = SEEDS_DIR / "001_2d49f690baf33b8d.txt"
TOSHIMA_MEETING = SEEDS_DIR / "004_0e4d2e928c0fe80f.txt"
