"""Permission-matrix rows of issue 14 (directories): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
