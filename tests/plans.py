"""What a statement's plan reads on PostgreSQL, for the tests that keep a list on its index (issue 13)."""
import json


def rows_read(cursor, sql, table="licensing_application") -> int:
    """The rows of `table` that the plan of `sql` read, kept or thrown away by a filter. With a few thousand
    rows PostgreSQL would rather read a whole table once than look up a page's keys one by one, as it
    would not with a city's: the plan is asked for as at that scale (the test's transaction only)."""
    for method in ("seqscan", "hashjoin", "mergejoin"):
        cursor.execute(f"SET LOCAL enable_{method} = off")
    cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def walk(node):
        own = 0
        if node.get("Relation Name") == table:
            own = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * node.get("Actual Loops", 1)
        return own + sum(walk(child) for child in node.get("Plans", []))
    return walk(plan[0]["Plan"])
