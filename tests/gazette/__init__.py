"""The gazette's text the tests quote (钦政发〔2019〕18号), kept in the repository so they run in any
checkout; tests/test_gazette_excerpts.py checks the copy against ../shared/source where present."""
from pathlib import Path

EXCERPTS = Path(__file__).resolve().parent / "excerpts.txt"
SOURCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "source"


def excerpt_lines() -> list[str]:
    """The excerpts' lines as printed (the header comment left out)."""
    return [line for line in EXCERPTS.read_text(encoding="utf-8").splitlines() if not line.startswith("# ")]


def gazette_lines() -> list[str]:
    """The excerpts' non-empty lines, stripped: what the tests search for headings and clauses."""
    return [line.strip() for line in excerpt_lines() if line.strip()]
