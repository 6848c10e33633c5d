"""Permission-matrix rows of issue 14 (draws): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
