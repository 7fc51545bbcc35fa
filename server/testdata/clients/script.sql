-- Run by TestPsql with: psql -v ON_ERROR_STOP=1 -X -q -A -t -f script.sql
-- The expected output (script.out) comes from running it on PostgreSQL 15.
CREATE TABLE psql_t (id int PRIMARY KEY, name text, amount numeric(8,2), at timestamptz, ok boolean);
INSERT INTO psql_t VALUES
  (1, 'one', 1.5, '2024-01-01 10:00:00+00', true),
  (2, 'two', NULL, '2024-06-30 23:59:59.5+00', false),
  (3, NULL, -3.25, NULL, NULL);
SELECT id, name, amount, at, ok FROM psql_t ORDER BY id;
\echo separator
SELECT count(*), sum(amount) FROM psql_t;
BEGIN;
UPDATE psql_t SET name = 'uno' WHERE id = 1;
COMMIT;
SELECT name FROM psql_t WHERE id = 1;
COPY psql_t (id, name, amount, at, ok) FROM STDIN;
4	four	4.00	2024-02-02 00:00:00+00	t
5	\N	\N	\N	\N
\.
COPY (SELECT id, name FROM psql_t ORDER BY id) TO STDOUT;
SELECT max(id) AS id FROM psql_t WHERE name IS NULL \gset last_
\echo :last_id
SELECT 'a' || 'b' AS x, 1 + 1 AS y \gx
\pset format unaligned
SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y';
DROP TABLE psql_t;
