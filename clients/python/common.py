"""What the Python client programs share: the check protocol and the data.

A client program runs named checks against the server whose URL is its
first argument. Each check prints one line, "PASS name" or "FAIL name:
reason"; the program ends with "END" and exits 1 if any check failed.
clients_test.go turns each line into a subtest and then reads back, with
pgx, the rows the checks left behind, so the rows written here must be the
ones it derives: items_row(i) for the item tables and ALL_TYPES_ROW for the
types tables.
"""

import datetime
import sys
import traceback
from decimal import Decimal


class CheckFailed(Exception):
    """A check's expectation did not hold."""


def expect(got, want, what):
    """Fails the running check unless got == want (and has want's type)."""
    if got != want or type(got) is not type(want):
        raise CheckFailed(f"{what}: got {got!r}, want {want!r}")


def run_checks(checks):
    """Runs each (name, function) in order, reporting each one; exits 1 if
    any failed. A check that raises fails with its exception."""
    failed = 0
    for name, fn in checks:
        try:
            fn()
        except Exception as e:  # every failure is reported, the next check runs
            failed += 1
            reason = f"{type(e).__name__}: {e}".strip().replace("\n", " | ")
            print(f"FAIL {name}: {reason}", flush=True)
            traceback.print_exc(file=sys.stderr)
        else:
            print(f"PASS {name}", flush=True)
    print("END", flush=True)
    sys.exit(1 if failed else 0)


# items_row(i) is row i (1-based) of every client's item table:
# (id bigint, name text, price numeric(10,2)).
def items_row(i):
    return (i, f"item-{i}", Decimal(i) * Decimal("1.25"))


# ALL_TYPES_DDL declares a column of each type runnel has; ALL_TYPES_ROW is
# the row every client writes into it and expects back. The interval has no
# months: Python's timedelta cannot hold them.
ALL_TYPES_COLUMNS = "b, i2, i4, i8, f4, f8, n, t, vc, by, d, tm, ts, tz, iv, j"
ALL_TYPES_DDL = """CREATE TABLE {name} (b boolean, i2 smallint, i4 int, i8 bigint,
    f4 real, f8 double precision, n numeric(12,3), t text, vc varchar(10), by bytea,
    d date, tm time, ts timestamp, tz timestamptz, iv interval, j jsonb)"""
ALL_TYPES_ROW = (
    True,
    -32768,
    2147483647,
    -9223372036854775808,
    1.5,
    -0.1,
    Decimal("-123456.789"),
    "text ☃ 'quoted' \\ backslash",
    "varchar",
    b"\x00\x01\xff",
    datetime.date(2024, 2, 29),
    datetime.time(13, 45, 6, 789),
    datetime.datetime(2024, 2, 29, 13, 45, 6, 789012),
    datetime.datetime(2024, 2, 29, 11, 45, 6, tzinfo=datetime.timezone.utc),
    datetime.timedelta(days=3, hours=4, minutes=5, seconds=6, microseconds=500000),
    {"a": 1, "b": ["x", None]},
)


def expect_all_types(got, what):
    """Compares a fetched row with ALL_TYPES_ROW, column by column; bytea
    may come back as memoryview (psycopg2) or bytes (psycopg)."""
    names = ALL_TYPES_COLUMNS.split(", ")
    expect(len(got), len(ALL_TYPES_ROW), f"{what}: number of columns")
    for name, g, w in zip(names, got, ALL_TYPES_ROW):
        if isinstance(g, memoryview):
            g = bytes(g)
        if isinstance(g, datetime.datetime) and g.tzinfo is not None:
            g = g.astimezone(datetime.timezone.utc)
        expect(g, w, f"{what}: column {name}")
