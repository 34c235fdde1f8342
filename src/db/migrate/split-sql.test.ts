import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitSql } from './split-sql.ts';

test('splits at top-level semicolons and keeps line numbers', () => {
  const parts = splitSql('SELECT 1;\n\n-- a comment; with a semicolon\nSELECT 2;\nSELECT 3');
  assert.deepEqual(parts, [
    { sql: 'SELECT 1', line: 1 },
    { sql: 'SELECT 2', line: 4 },
    { sql: 'SELECT 3', line: 5 },
  ]);
});

test('keeps semicolons inside strings, identifiers, dollar quotes and block comments', () => {
  const script = [
    "INSERT INTO t VALUES ('a;b', 'it''s;');",
    'CREATE TABLE "x;y" (a int);',
    'DO $$ BEGIN PERFORM 1; END $$;',
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;',
    '/* outer /* nested; */ still comment; */ SELECT 4;',
  ].join('\n');
  const parts = splitSql(script).map((p) => p.sql);
  assert.equal(parts.length, 5);
  assert.equal(parts[0], "INSERT INTO t VALUES ('a;b', 'it''s;')");
  assert.equal(parts[2], 'DO $$ BEGIN PERFORM 1; END $$');
  assert.match(parts[3], /\$body\$ SELECT 1; \$body\$$/);
  assert.equal(parts[4], 'SELECT 4');
});

test('a positional parameter like $1 is not a dollar quote', () => {
  assert.deepEqual(
    splitSql('SELECT $1::int; SELECT 2').map((p) => p.sql),
    ['SELECT $1::int', 'SELECT 2'],
  );
});

test('unterminated quotes are reported with their line', () => {
  assert.throws(() => splitSql("SELECT 1;\nSELECT 'oops"), /unterminated string at line 2/);
  assert.throws(() => splitSql('DO $$ BEGIN'), /unterminated dollar-quoted string \$\$ at line 1/);
});

test('empty statements and comment-only scripts yield nothing', () => {
  assert.deepEqual(splitSql(';;  \n-- only a comment\n'), []);
});
