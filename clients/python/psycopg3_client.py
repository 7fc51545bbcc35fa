"""psycopg 3 against the server at argv[1]: DDL, server-side parameters
(extended protocol, text and binary), prepared statements, executemany in
pipeline mode, a server-side cursor, COPY in and out (text and binary),
every type, errors with their SQLSTATE. Leaves py3_items (rows 1..100 of
items_row), py3_copy and py3_types for clients_test.go to read back."""

import sys
from decimal import Decimal

import psycopg
import psycopg.errors
from psycopg.types.json import Jsonb

from common import (ALL_TYPES_COLUMNS, ALL_TYPES_DDL, ALL_TYPES_ROW, expect,
                    expect_all_types, items_row, run_checks)

URL = sys.argv[1]


def connect(**kw):
    return psycopg.connect(URL, **kw)


def check_connect_ddl():
    with connect() as conn:
        expect(conn.info.server_version >= 150000, True, "server_version is 15 or later")
        conn.execute("CREATE TABLE py3_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))")


def check_parameters():
    with connect() as conn:
        conn.execute("INSERT INTO py3_items VALUES (%s, %s, %s)", items_row(1))
        conn.execute("INSERT INTO py3_items (id, name, price) VALUES (%(id)s, %(name)s, %(price)s)",
                     dict(zip(("id", "name", "price"), items_row(2))))
        got = conn.execute("SELECT id, name, price FROM py3_items WHERE id = %s AND name = %s", (2, "item-2")).fetchall()
        expect(got, [items_row(2)], "row 2 by id and name")
        got = conn.execute("SELECT %s::text, %s::text IS NULL, %s + %s", ("it's \\ here", None, 40, 2)).fetchone()
        expect(got, ("it's \\ here", True, 42), "parameters of several types")
        # Binary parameters and results.
        got = conn.execute("SELECT id, name, price FROM py3_items WHERE id = %b", (1,), binary=True).fetchone()
        expect(got, items_row(1), "row 1 in binary")


def check_prepared():
    with connect() as conn:
        for i in (1, 2, 1):
            got = conn.execute("SELECT name FROM py3_items WHERE id = %s", (i,), prepare=True).fetchone()
            expect(got, (f"item-{i}",), f"prepared select of row {i}")


def check_executemany():
    with connect() as conn:
        with conn.cursor() as cur:
            # psycopg sends these as one pipeline (libpq 14 or later).
            cur.executemany("INSERT INTO py3_items VALUES (%s, %s, %s)", [items_row(i) for i in range(3, 101)])
            cur.execute("SELECT count(*), sum(price) FROM py3_items")
            total = sum(items_row(i)[2] for i in range(1, 101))
            expect(cur.fetchone(), (100, total), "count and sum after executemany")
        with conn.pipeline():
            cur = conn.execute("SELECT max(id) FROM py3_items")
            cur2 = conn.execute("SELECT min(id) FROM py3_items")
        expect((cur.fetchone(), cur2.fetchone()), ((100,), (1,)), "two queries of one pipeline")


def check_server_cursor():
    with connect() as conn:
        with conn.cursor(name="py3_cursor") as cur:
            cur.itersize = 7
            cur.execute("SELECT id, name, price FROM py3_items WHERE id > %s ORDER BY id", (10,))
            expect(cur.fetchmany(5), [items_row(i) for i in range(11, 16)], "fetchmany(5)")
            expect(cur.fetchone(), items_row(16), "fetchone")
            expect(list(cur), [items_row(i) for i in range(17, 101)], "the rest, iterated 7 rows a FETCH")
        expect(conn.execute("SELECT count(*) FROM py3_items").fetchone(), (100,), "count after the cursor")


def check_copy_in():
    with connect() as conn:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE py3_copy (id int, name text, price numeric(10,2))")
            with cur.copy("COPY py3_copy (id, name, price) FROM STDIN") as copy:
                copy.write_row((1, "tab\there", Decimal("1.50")))
                copy.write_row((2, None, None))
            with cur.copy("COPY py3_copy (id, name, price) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int4", "text", "numeric"])
                copy.write_row((3, "binary", Decimal("3.25")))
            with cur.copy("COPY py3_copy FROM STDIN (FORMAT csv)") as copy:
                copy.write(b'4,"comma, here",4.00\n')
            got = cur.execute("SELECT id, name, price FROM py3_copy ORDER BY id").fetchall()
            expect(got, [(1, "tab\there", Decimal("1.50")), (2, None, None), (3, "binary", Decimal("3.25")),
                         (4, "comma, here", Decimal("4.00"))], "rows after COPY FROM")


def check_copy_out():
    with connect() as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY (SELECT id, name, price FROM py3_items WHERE id <= 3 ORDER BY id) TO STDOUT") as copy:
                copy.set_types(["int8", "text", "numeric"])
                got = list(copy.rows())
            expect(got, [items_row(i) for i in (1, 2, 3)], "text COPY TO rows")
            with cur.copy("COPY (SELECT id, name FROM py3_copy ORDER BY id) TO STDOUT (FORMAT BINARY)") as copy:
                copy.set_types(["int4", "text"])
                got = list(copy.rows())
            expect(got, [(1, "tab\there"), (2, None), (3, "binary"), (4, "comma, here")], "binary COPY TO rows")
            with cur.copy("COPY (SELECT id, name FROM py3_copy WHERE id IN (1, 4) ORDER BY id) TO STDOUT (FORMAT csv, HEADER)") as copy:
                got = b"".join(bytes(chunk) for chunk in copy)
            expect(got, b'id,name\n1,tab\there\n4,"comma, here"\n', "CSV COPY TO")


def check_types():
    with connect() as conn:
        conn.execute(ALL_TYPES_DDL.format(name="py3_types"))
        row = list(ALL_TYPES_ROW)
        row[-1] = Jsonb(row[-1])
        placeholders = ", ".join(["%s"] * len(row))
        conn.execute(f"INSERT INTO py3_types ({ALL_TYPES_COLUMNS}) VALUES ({placeholders})", row)
        conn.execute(f"INSERT INTO py3_types ({ALL_TYPES_COLUMNS}) VALUES ({placeholders})", [None] * len(row))
        query = f"SELECT {ALL_TYPES_COLUMNS} FROM py3_types ORDER BY b NULLS LAST"
        for binary in (False, True):
            with conn.cursor(binary=binary) as cur:
                got = cur.execute(query).fetchall()
                what = "binary" if binary else "text"
                expect(len(got), 2, f"rows ({what})")
                expect_all_types(got[0], f"the typed row ({what})")
                expect(got[1], (None,) * len(row), f"the NULL row ({what})")


def check_errors():
    with connect() as conn:
        try:
            conn.execute("SELECT * FROM py3_missing")
            raise AssertionError("a missing table did not fail")
        except psycopg.errors.UndefinedTable as e:
            expect(e.sqlstate, "42P01", "SQLSTATE of a missing table")
        conn.rollback()
        expect(conn.execute("SELECT 1").fetchone(), (1,), "the connection after 42P01")
        try:
            conn.execute("INSERT INTO py3_items VALUES (%s, %s, %s)", (1, "again", 0))
            raise AssertionError("a duplicate key did not fail")
        except psycopg.errors.UniqueViolation as e:
            expect(e.sqlstate, "23505", "SQLSTATE of a duplicate key")
        try:
            conn.execute("SELECT 1")
            raise AssertionError("a statement in an aborted transaction did not fail")
        except psycopg.errors.InFailedSqlTransaction as e:
            expect(e.sqlstate, "25P02", "SQLSTATE in an aborted transaction")
        conn.rollback()
    with connect(autocommit=True) as conn:
        try:
            conn.execute("SELECT 1 / (id - id) FROM py3_items")
            raise AssertionError("a division by zero did not fail")
        except psycopg.errors.DivisionByZero as e:
            expect(e.sqlstate, "22012", "SQLSTATE of a division by zero")
        expect(conn.execute("SELECT count(*) FROM py3_items").fetchone(), (100,), "count after the errors")


def check_transactions():
    with connect(autocommit=True) as conn:
        try:
            with conn.transaction():
                conn.execute("DELETE FROM py3_items")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        expect(conn.execute("SELECT count(*) FROM py3_items").fetchone(), (100,), "count after a rolled back DELETE")


run_checks([
    ("connect_ddl", check_connect_ddl),
    ("parameters", check_parameters),
    ("prepared", check_prepared),
    ("executemany", check_executemany),
    ("server_cursor", check_server_cursor),
    ("copy_in", check_copy_in),
    ("copy_out", check_copy_out),
    ("types", check_types),
    ("errors", check_errors),
    ("transactions", check_transactions),
])
