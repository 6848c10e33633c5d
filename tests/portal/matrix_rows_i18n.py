"""Permission-matrix rows of issue 15 (i18n): merged into tests.portal.matrix_rows.MATRIX."""
ROWS = {}
