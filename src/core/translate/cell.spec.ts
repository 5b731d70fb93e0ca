import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonCompileError, pythonLiterals } from '../testing/python';
import { translateCell } from './cell';
import { parseMagic } from './magic';
import { HOSTILE, mulberry32, randomNasty } from './pystr.spec';

/** The statements list a translated %sql cell passes to the runtime. */
function statementsOf(code: string): string {
  const m = /sql_cell\((\[.*\]), limit=\d+\)$/.exec(code);
  assert.ok(m, `unexpected translation: ${code}`);
  return m[1];
}

describe('parseMagic', () => {
  it('reads %sql and %%sql alike, with code on the magic line', () => {
    assert.deepEqual(parseMagic('%sql SELECT 1'), {
      name: 'sql',
      args: 'SELECT 1',
      body: ''
    });
    assert.deepEqual(parseMagic('\n%%SQL\nSELECT 2'), {
      name: 'sql',
      args: '',
      body: 'SELECT 2'
    });
  });

  it('is null for plain code and for magics later in the cell', () => {
    assert.equal(parseMagic('x = 1\n%sql SELECT 1'), null);
    assert.equal(parseMagic('print("%sql")'), null);
  });
});

describe('translateCell', () => {
  it('leaves non-Spark cells exactly as they are', () => {
    for (const source of ['print(1)', '%time x = 1', '%%bash\necho hi', '']) {
      assert.deepEqual(translateCell(source), {
        magic: null,
        code: source,
        needsSpark: false
      });
    }
  });

  it('runs %sql statements in order and binds _sqldf', () => {
    const t = translateCell(
      "%sql\nCREATE TEMP VIEW v AS SELECT 1;\nSELECT ';' AS x"
    );
    assert.equal(t.magic, 'sql');
    assert.equal(t.needsSpark, true);
    assert.match(t.code, /^_sqldf = _spark_k8s_runtime\.sql_cell\(/);
    assert.deepEqual(pythonLiterals([statementsOf(t.code)]), [
      ['CREATE TEMP VIEW v AS SELECT 1', "SELECT ';' AS x"]
    ]);
  });

  it('uses the configured row limit, ignoring nonsense', () => {
    assert.match(
      translateCell('%sql SELECT 1', { rowLimit: 25 }).code,
      /limit=25\)$/
    );
    assert.match(
      translateCell('%sql SELECT 1', { rowLimit: -3 }).code,
      /limit=1000\)$/
    );
  });

  it('compiles for hostile SQL, and the SQL reaches Python byte for byte', () => {
    for (const s of HOSTILE) {
      const sql = `SELECT '${s.replace(/'/g, "''")}' AS v`;
      const t = translateCell(`%sql\n${sql}`);
      assert.equal(
        pythonCompileError(t.code),
        null,
        `did not compile for ${JSON.stringify(s)}`
      );
      const [statements] = pythonLiterals([statementsOf(t.code)]) as string[][];
      assert.deepEqual(statements, [sql]);
    }
  });

  it('compiles for 2,000 random cells (fuzz)', () => {
    const rng = mulberry32(7);
    const cells = Array.from(
      { length: 2000 },
      () => '%sql ' + randomNasty(rng)
    );
    const translated = cells.map(c => translateCell(c));
    assert.ok(translated.every(t => t.magic === 'sql'));
    assert.equal(
      pythonCompileError(translated.map(t => t.code).join('\n')),
      null
    );
  });
});
