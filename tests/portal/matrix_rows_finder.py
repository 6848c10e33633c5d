"""Permission-matrix rows of issue 15 (finder): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
