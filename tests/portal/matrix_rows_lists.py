"""Permission-matrix rows of issue 15 (lists): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
