// Runs one SQL query with DuckDB (npm package @duckdb/node-api, loaded from
// the node_modules directory in DUCKDB_MODULES) and prints the rows as JSON.
import { createRequire } from 'node:module';

const require = createRequire(process.env.DUCKDB_MODULES + '/');
const { DuckDBInstance } = require('@duckdb/node-api');
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const result = await con.runAndReadAll(process.argv[2]);
console.log(JSON.stringify(result.getRowObjectsJson()));
