"""psycopg2 against the server at argv[1]: DDL, parameters (interpolated by
the client, sent with the simple protocol), executemany, a named
(server-side) cursor, COPY in and out, every type, errors with their
SQLSTATE. Leaves py2_items (rows 1..100 of items_row), py2_copy and
py2_types for clients_test.go to read back."""

import io
import sys
from decimal import Decimal

import psycopg2
import psycopg2.errors
import psycopg2.extras

from common import (ALL_TYPES_COLUMNS, ALL_TYPES_DDL, ALL_TYPES_ROW, expect,
                    expect_all_types, items_row, run_checks)

URL = sys.argv[1]


def connect(**kw):
    return psycopg2.connect(URL, **kw)


def check_connect_ddl():
    with connect() as conn, conn.cursor() as cur:
        expect(conn.server_version >= 150000, True, "server_version is 15 or later")
        cur.execute("CREATE TABLE py2_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))")
    conn.close()


def check_parameters():
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO py2_items VALUES (%s, %s, %s)", items_row(1))
        cur.execute("INSERT INTO py2_items (id, name, price) VALUES (%(id)s, %(name)s, %(price)s)",
                    dict(zip(("id", "name", "price"), items_row(2))))
        cur.execute("SELECT id, name, price FROM py2_items WHERE id = %s AND name = %s", (2, "item-2"))
        expect(cur.fetchall(), [items_row(2)], "row 2 by id and name")
        # A quote and a backslash in a literal the client interpolates.
        cur.execute("SELECT %s::text, %s::text IS NULL, %s + %s", ("it's \\ here", None, 40, 2))
        expect(cur.fetchone(), ("it's \\ here", True, 42), "interpolated literals")
    conn.close()


def check_executemany():
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO py2_items VALUES (%s, %s, %s)", [items_row(i) for i in range(3, 101)])
        cur.execute("SELECT count(*), sum(price) FROM py2_items")
        total = sum(items_row(i)[2] for i in range(1, 101))
        expect(cur.fetchone(), (100, total), "count and sum after executemany")
    conn.close()


def check_named_cursor():
    conn = connect()
    with conn:
        with conn.cursor(name="py2_cursor") as cur:
            cur.itersize = 7
            cur.execute("SELECT id, name, price FROM py2_items WHERE id > %s ORDER BY id", (10,))
            expect(cur.fetchmany(5), [items_row(i) for i in range(11, 16)], "fetchmany(5)")
            expect(cur.fetchone(), items_row(16), "fetchone")
            rest = list(cur)
            expect(rest, [items_row(i) for i in range(17, 101)], "the rest, iterated 7 rows a FETCH")
        # The cursor is closed; the transaction goes on.
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM py2_items")
            expect(cur.fetchone(), (100,), "count after the cursor")
    conn.close()


def check_copy_in():
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE py2_copy (id int, name text, price numeric(10,2))")
        cur.copy_expert("COPY py2_copy (id, name, price) FROM STDIN WITH (FORMAT csv)",
                        io.StringIO('1,"a, quoted",1.50\n2,,\n'))
        expect(cur.rowcount, 2, "rows copied by copy_expert")
        cur.copy_from(io.StringIO("3\ttab\\tescaped\t3.25\n4\t\\N\t\\N\n"), "py2_copy", columns=("id", "name", "price"))
        cur.execute("SELECT id, name, price FROM py2_copy ORDER BY id")
        expect(cur.fetchall(), [(1, "a, quoted", Decimal("1.50")), (2, None, None),
                                (3, "tab\tescaped", Decimal("3.25")), (4, None, None)], "rows after COPY FROM")
    conn.close()


def check_copy_out():
    conn = connect()
    with conn, conn.cursor() as cur:
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT id, name, price FROM py2_items WHERE id <= 3 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)", out)
        expect(out.getvalue(), "id,name,price\n1,item-1,1.25\n2,item-2,2.50\n3,item-3,3.75\n", "CSV out")
        out = io.StringIO()
        cur.copy_to(out, "py2_copy", columns=("id", "name"))
        expect(sorted(out.getvalue().splitlines()), ["1\ta, quoted", "2\t\\N", "3\ttab\\tescaped", "4\t\\N"], "text out")
    conn.close()


def check_types():
    conn = connect()
    with conn, conn.cursor() as cur:
        cur.execute(ALL_TYPES_DDL.format(name="py2_types"))
        row = list(ALL_TYPES_ROW)
        row[-1] = psycopg2.extras.Json(row[-1])
        placeholders = ", ".join(["%s"] * len(row))
        cur.execute(f"INSERT INTO py2_types ({ALL_TYPES_COLUMNS}) VALUES ({placeholders})", row)
        cur.execute(f"INSERT INTO py2_types ({ALL_TYPES_COLUMNS}) VALUES ({placeholders})", [None] * len(row))
        cur.execute(f"SELECT {ALL_TYPES_COLUMNS} FROM py2_types ORDER BY b NULLS LAST")
        got = cur.fetchall()
        expect(len(got), 2, "rows")
        expect_all_types(got[0], "the typed row")
        expect(got[1], (None,) * len(row), "the NULL row")
    conn.close()


def check_errors():
    conn = connect()
    cur = conn.cursor()
    try:
        cur.execute("SELECT * FROM py2_missing")
        raise AssertionError("a missing table did not fail")
    except psycopg2.errors.UndefinedTable as e:
        expect(e.pgcode, "42P01", "SQLSTATE of a missing table")
    conn.rollback()
    cur.execute("SELECT 1")
    expect(cur.fetchone(), (1,), "the connection after 42P01")
    try:
        cur.execute("INSERT INTO py2_items VALUES (1, 'again', 0)")
        raise AssertionError("a duplicate key did not fail")
    except psycopg2.errors.UniqueViolation as e:
        expect(e.pgcode, "23505", "SQLSTATE of a duplicate key")
    # The failed statement aborted the transaction until the rollback.
    try:
        cur.execute("SELECT 1")
        raise AssertionError("a statement in an aborted transaction did not fail")
    except psycopg2.errors.InFailedSqlTransaction as e:
        expect(e.pgcode, "25P02", "SQLSTATE in an aborted transaction")
    conn.rollback()
    conn.autocommit = True
    try:
        cur.execute("SELECT 1 / (id - id) FROM py2_items")
        raise AssertionError("a division by zero did not fail")
    except psycopg2.errors.DivisionByZero as e:
        expect(e.pgcode, "22012", "SQLSTATE of a division by zero")
    cur.execute("SELECT count(*) FROM py2_items")
    expect(cur.fetchone(), (100,), "count after the errors")
    conn.close()


def check_transactions():
    conn = connect()
    with conn.cursor() as cur:
        cur.execute("DELETE FROM py2_items")
        conn.rollback()
        cur.execute("SELECT count(*) FROM py2_items")
        expect(cur.fetchone(), (100,), "count after a rolled back DELETE")
    conn.commit()
    conn.close()


run_checks([
    ("connect_ddl", check_connect_ddl),
    ("parameters", check_parameters),
    ("executemany", check_executemany),
    ("named_cursor", check_named_cursor),
    ("copy_in", check_copy_in),
    ("copy_out", check_copy_out),
    ("types", check_types),
    ("errors", check_errors),
    ("transactions", check_transactions),
])
