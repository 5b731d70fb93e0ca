import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitSql } from './sql';

describe('splitSql', () => {
  it('splits on semicolons and drops empty statements', () => {
    assert.deepEqual(splitSql('SELECT 1; SELECT 2;;\n  ;'), [
      'SELECT 1',
      'SELECT 2'
    ]);
  });

  it('keeps semicolons inside single, double and back-quoted strings', () => {
    assert.deepEqual(
      splitSql('SELECT \'a;b\', "c;d", `e;f` FROM t; SELECT 2'),
      ['SELECT \'a;b\', "c;d", `e;f` FROM t', 'SELECT 2']
    );
  });

  it('honours backslash escapes and doubled quotes inside strings', () => {
    assert.deepEqual(splitSql("SELECT 'it\\'s;', 'x'';y'; SELECT 3"), [
      "SELECT 'it\\'s;', 'x'';y'",
      'SELECT 3'
    ]);
  });

  it('ignores semicolons in line and nested block comments', () => {
    assert.deepEqual(
      splitSql('SELECT 1 -- not here;\n; /* nor /* here; */ here; */ SELECT 2'),
      ['SELECT 1 -- not here;', '/* nor /* here; */ here; */ SELECT 2']
    );
  });

  it('drops a trailing comment-only statement', () => {
    assert.deepEqual(splitSql('SELECT 1;\n-- the end\n/* really */'), [
      'SELECT 1'
    ]);
  });

  it('treats an unclosed quote as running to the end (Spark reports the error)', () => {
    assert.deepEqual(splitSql("SELECT 'a; b"), ["SELECT 'a; b"]);
  });

  it('returns nothing for blank or comment-only text', () => {
    assert.deepEqual(splitSql('  \n -- nothing\n'), []);
  });
});
