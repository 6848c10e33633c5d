"""Permission-matrix rows of issue 15 (start): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
