"""Permission-matrix rows of issue 15 (ratings): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
