// Logs in with node-postgres to the URL argv[2], whose user and password
// the server checks, and prints current_user. A failed login exits
// non-zero with pg's error.
'use strict';

const pg = require('pg');

async function main() {
  const client = new pg.Client({ connectionString: process.argv[2] });
  await client.connect();
  const { rows } = await client.query('SELECT current_user AS u');
  console.log(rows[0].u);
  await client.end();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
