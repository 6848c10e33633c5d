"""The gazette excerpts the tests quote are the gazette's own lines, in order (钦政发〔2019〕18号)."""
import pytest

from tests.gazette import SOURCE_DIR, excerpt_lines


def test_the_excerpts_are_copied_from_the_gazette_line_for_line():
    """Each run of the excerpts is a run of consecutive lines of the published source."""
    sources = sorted(SOURCE_DIR.glob("*.txt")) if SOURCE_DIR.is_dir() else []
    if not sources:
        pytest.skip(f"the gazette source is not beside this checkout ({SOURCE_DIR})")
    source = "\n".join(sources[0].read_text(encoding="utf-8").splitlines())
    lines = excerpt_lines()
    split = lines.index("附件 3")
    footnote, guide = lines[:split], lines[split:]
    assert footnote[0].startswith("备注:") and guide[0] == "附件 3"
    assert "\n".join(footnote) in source and "\n".join(guide) in source
