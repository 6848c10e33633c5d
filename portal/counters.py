"""Gapless yearly sequences (办件编号, 文书编号): one counter row per key, bumped in one statement.

`UPDATE … SET last = last + n … RETURNING last` takes the row's lock and reads the new value at once, so
two transactions never get the same number, and the lock is held from that statement until the caller's
transaction ends (a rolled-back issue gives its number back: no gap). Only the first number of a key (a
new year, a new kind) costs more: the row is inserted (a concurrent insert of the same key is ignored
through the table's unique constraint) and the update runs again. PostgreSQL and SQLite (3.35 and
later) both answer RETURNING.
"""
from django.db import connections, router


def next_number(model, *, by: int = 1, **key) -> int:
    """The next value of `model`'s counter for `key` (its fields by name, e.g. year=2027), from 1; with
    `by`, the last of a block of that many numbers taken at once (seed_volume's). `model` has a positive
    integer field `last` and a unique constraint over the key's fields."""
    connection = connections[router.db_for_write(model)]
    opts, quote = model._meta, connection.ops.quote_name
    last = quote(opts.get_field("last").column)
    where = " AND ".join(f"{quote(opts.get_field(name).column)} = %s" for name in key)
    sql = f"UPDATE {quote(opts.db_table)} SET {last} = {last} + %s WHERE {where} RETURNING {last}"
    params = [by, *key.values()]

    def bump():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else row[0]

    number = bump()
    if number is None:  # the key's first number: its row, then the same update
        model.objects.using(connection.alias).bulk_create([model(**key)], ignore_conflicts=True)
        number = bump()
    return number
