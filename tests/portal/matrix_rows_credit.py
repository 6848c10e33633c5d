"""Permission-matrix rows of issue 14 (credit): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
