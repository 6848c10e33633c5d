"""Permission-matrix rows of issue 16 (sign-in through the unified identity service)."""
ROWS = {}
