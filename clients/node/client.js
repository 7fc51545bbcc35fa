// node-postgres (pg, pg-cursor) against the server whose URL is argv[2]:
// DDL, parameters (extended protocol), named prepared statements, a
// cursor reading a portal a few rows at a time, every type in text and the
// types pg parses in binary, errors with their SQLSTATE, transactions.
// Each check prints "PASS name" or "FAIL name: reason", then "END"; the exit
// status is 1 if a check failed. Leaves node_items (rows 1..100: id,
// 'item-' + id, id * 1.25) and node_types for clients_test.go.
'use strict';

// Dates and timestamps without a zone are read in the process' zone.
process.env.TZ = 'UTC';

const assert = require('node:assert/strict');
const pg = require('pg');
const Cursor = require('pg-cursor');

const url = process.argv[2];

async function withClient(fn) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// itemsRow(i) is row i of node_items as pg returns it: int8 and numeric
// come back as strings.
function itemsRow(i) {
  return { id: String(i), name: `item-${i}`, price: (i * 1.25).toFixed(2) };
}

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, k) => from + k);
}

async function connectDDL() {
  await withClient(async (c) => {
    const { rows } = await c.query('SHOW server_version_num');
    assert.ok(Number(rows[0].server_version_num) >= 150000, `server_version_num ${rows[0].server_version_num}`);
    await c.query('CREATE TABLE node_items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))');
  });
}

async function parameters() {
  await withClient(async (c) => {
    for (const i of [1, 2]) {
      const r = itemsRow(i);
      const res = await c.query('INSERT INTO node_items VALUES ($1, $2, $3)', [i, r.name, r.price]);
      assert.equal(res.rowCount, 1, 'rows inserted');
    }
    const { rows } = await c.query('SELECT id, name, price FROM node_items WHERE id = $1 AND name = $2', [2, 'item-2']);
    assert.deepEqual(rows, [itemsRow(2)], 'row 2 by id and name');
    const res = await c.query('SELECT $1::text AS s, $2::text IS NULL AS isnull, $3::int + $4::int AS sum', ["it's \\ here", null, 40, 2]);
    assert.deepEqual(res.rows, [{ s: "it's \\ here", isnull: true, sum: 42 }], 'parameters of several types');
    assert.deepEqual(res.fields.map((f) => [f.name, f.dataTypeID]), [['s', 25], ['isnull', 16], ['sum', 23]], 'field names and type oids');
  });
}

// Rows 3..100 through one named prepared statement (parsed once, then
// bound and executed for each row).
async function prepared() {
  await withClient(async (c) => {
    for (const i of range(3, 100)) {
      await c.query({ name: 'node_insert', text: 'INSERT INTO node_items VALUES ($1, $2, $3)', values: [i, itemsRow(i).name, itemsRow(i).price] });
    }
    for (const i of [3, 50, 3]) {
      const { rows } = await c.query({ name: 'node_select', text: 'SELECT id, name, price FROM node_items WHERE id = $1', values: [i] });
      assert.deepEqual(rows, [itemsRow(i)], `prepared select of row ${i}`);
    }
    const { rows } = await c.query('SELECT count(*) AS n, sum(price) AS total FROM node_items');
    const total = range(1, 100).reduce((s, i) => s + i * 1.25, 0);
    assert.deepEqual(rows, [{ n: '100', total: total.toFixed(2) }], 'count and sum');
  });
}

// pg-cursor binds an unnamed portal and executes it 5, then 7 rows at a time.
async function cursor() {
  await withClient(async (c) => {
    const cur = c.query(new Cursor('SELECT id, name, price FROM node_items WHERE id > $1 ORDER BY id', [10]));
    assert.deepEqual(await cur.read(5), range(11, 15).map(itemsRow), 'first read of 5');
    const rest = [];
    for (let rows = await cur.read(7); rows.length > 0; rows = await cur.read(7)) {
      assert.ok(rows.length <= 7, `a read of 7 returned ${rows.length} rows`);
      rest.push(...rows);
    }
    assert.deepEqual(rest, range(16, 100).map(itemsRow), 'the rest, 7 rows a read');
    await cur.close();
    const { rows } = await c.query('SELECT count(*) AS n FROM node_items');
    assert.deepEqual(rows, [{ n: '100' }], 'the connection after the cursor');
  });
}

const allTypesColumns = 'b, i2, i4, i8, f4, f8, n, t, vc, by, d, tm, ts, tz, iv, j';
const allTypesValues = [
  true, -32768, 2147483647, '-9223372036854775808', 1.5, -0.1, '-123456.789',
  "text ☃ 'quoted' \\ backslash", 'varchar', Buffer.from([0, 1, 0xff]), '2024-02-29', '13:45:06.000789',
  '2024-02-29 13:45:06.789012', '2024-02-29T11:45:06Z', '3 days 04:05:06.5', JSON.stringify({ a: 1, b: ['x', null] }),
];

async function types() {
  await withClient(async (c) => {
    await c.query(`CREATE TABLE node_types (b boolean, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision,
      n numeric(12,3), t text, vc varchar(10), by bytea, d date, tm time, ts timestamp, tz timestamptz, iv interval, j jsonb)`);
    const marks = allTypesValues.map((_, k) => `$${k + 1}`).join(', ');
    await c.query(`INSERT INTO node_types (${allTypesColumns}) VALUES (${marks})`, allTypesValues);
    await c.query(`INSERT INTO node_types (${allTypesColumns}) VALUES (${marks})`, allTypesValues.map(() => null));
    const { rows } = await c.query({ text: `SELECT ${allTypesColumns} FROM node_types ORDER BY b NULLS LAST`, rowMode: 'array' });
    assert.equal(rows.length, 2, 'rows');
    const want = [
      true, -32768, 2147483647, '-9223372036854775808', 1.5, -0.1, '-123456.789',
      "text ☃ 'quoted' \\ backslash", 'varchar', Buffer.from([0, 1, 0xff]), new Date(Date.UTC(2024, 1, 29)), '13:45:06.000789',
      new Date(Date.UTC(2024, 1, 29, 13, 45, 6, 789)), new Date(Date.UTC(2024, 1, 29, 11, 45, 6)),
    ];
    assert.deepEqual(rows[0].slice(0, want.length), want, 'the typed row in text');
    const iv = rows[0][14];
    assert.deepEqual({ days: iv.days, hours: iv.hours, minutes: iv.minutes, seconds: iv.seconds, milliseconds: iv.milliseconds },
      { days: 3, hours: 4, minutes: 5, seconds: 6, milliseconds: 500 }, 'the interval');
    assert.deepEqual(rows[0][15], { a: 1, b: ['x', null] }, 'the jsonb');
    assert.deepEqual(rows[1], allTypesValues.map(() => null), 'the NULL row');
    // pg parses these types in binary.
    const bin = await c.query({ text: 'SELECT b, i2, i4, i8, f4, f8, n, t, tz FROM node_types ORDER BY b NULLS LAST', rowMode: 'array', binary: true });
    assert.deepEqual(bin.rows[0], [true, -32768, 2147483647, '-9223372036854775808', 1.5, -0.1, '-123456.789',
      "text ☃ 'quoted' \\ backslash", new Date(Date.UTC(2024, 1, 29, 11, 45, 6))], 'the typed row in binary');
    assert.deepEqual(bin.rows[1], Array(9).fill(null), 'the NULL row in binary');
  });
}

async function errors() {
  await withClient(async (c) => {
    await assert.rejects(c.query('SELECT * FROM node_missing'), { code: '42P01' }, 'a missing table');
    assert.deepEqual((await c.query('SELECT 1 AS one')).rows, [{ one: 1 }], 'the connection after 42P01');
    await c.query('BEGIN');
    await assert.rejects(c.query('INSERT INTO node_items VALUES ($1, $2, $3)', [1, 'again', 0]), { code: '23505' }, 'a duplicate key');
    await assert.rejects(c.query('SELECT 1'), { code: '25P02' }, 'a statement in an aborted transaction');
    await c.query('ROLLBACK');
    await assert.rejects(c.query('SELECT 1 / (id - id) FROM node_items'), { code: '22012' }, 'a division by zero');
    assert.deepEqual((await c.query('SELECT count(*) AS n FROM node_items')).rows, [{ n: '100' }], 'count after the errors');
  });
}

async function transactions() {
  await withClient(async (c) => {
    await c.query('BEGIN');
    await c.query('DELETE FROM node_items');
    assert.deepEqual((await c.query('SELECT count(*) AS n FROM node_items')).rows, [{ n: '0' }], 'count inside the transaction');
    await c.query('ROLLBACK');
    assert.deepEqual((await c.query('SELECT count(*) AS n FROM node_items')).rows, [{ n: '100' }], 'count after the rollback');
  });
}

async function main() {
  const checks = [
    ['connect_ddl', connectDDL],
    ['parameters', parameters],
    ['prepared', prepared],
    ['cursor', cursor],
    ['types', types],
    ['errors', errors],
    ['transactions', transactions],
  ];
  let failed = 0;
  for (const [name, fn] of checks) {
    try {
      await fn();
      console.log(`PASS ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${String(e.message || e).replace(/\n/g, ' | ')}`);
      console.error(e);
    }
  }
  console.log('END');
  process.exitCode = failed ? 1 : 0;
}

main();
