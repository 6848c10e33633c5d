"""Permission-matrix rows of issue 14 (reports): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
