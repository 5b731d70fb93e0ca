import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonCompileError, pythonLiterals } from '../testing/python';
import { translateCell } from './cell';
import { parseMagic } from './magic';
import { HOSTILE, mulberry32, randomNasty } from '../testing/hostile';

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

  it('knows when plain Python needs the session Databricks always has', () => {
    assert.equal(translateCell('df = spark.range(3)').needsSpark, true);
    assert.equal(
      translateCell('dbutils.widgets.get("x")').code,
      'dbutils.widgets.get("x")'
    );
  });

  it('passes :name markers and turns widget statements into widget operations', () => {
    const t = translateCell(
      "%sql\nCREATE WIDGET DROPDOWN state DEFAULT 'CA' CHOICES SELECT DISTINCT s FROM t;\n" +
        'REMOVE WIDGET old;\nSELECT * FROM t WHERE s = :state AND n > :min_n AND x::int = 1'
    );
    assert.deepEqual(pythonLiterals([statementsOf(t.code)]), [
      [
        [
          'create_widget',
          'dropdown',
          'state',
          'CA',
          'SELECT DISTINCT s FROM t'
        ],
        ['remove_widget', 'old'],
        [
          'sql',
          'SELECT * FROM t WHERE s = :state AND n > :min_n AND x::int = 1',
          ['state', 'min_n']
        ]
      ]
    ]);
  });

  it('translates the other Databricks magics, safely', () => {
    const hostile = 'echo "$HOME" \'\'\' """ \\ \n done';
    const cases: Array<[string, string]> = [
      [`%md\n# T ${hostile}`, 'markdown'],
      [`%sh\n${hostile}`, 'sh'],
      [`%fs ls ${hostile}`, 'fs_magic'],
      [`%pip install ${hostile}`, 'pip'],
      ['%scala\nval x = 1', 'unsupported'],
      ['%r\nx <- 1', 'unsupported']
    ];
    for (const [cell, call] of cases) {
      const t = translateCell(cell);
      assert.ok(t.code.startsWith(`_spark_k8s_runtime.${call}(`), t.code);
      assert.equal(pythonCompileError(t.code), null);
    }
    assert.deepEqual(translateCell('%python\nx = 1'), {
      magic: 'python',
      code: 'x = 1',
      needsSpark: false
    });
  });

  it('runs %sql statements in order and binds _sqldf', () => {
    const t = translateCell(
      "%sql\nCREATE TEMP VIEW v AS SELECT 1;\nSELECT ';' AS x"
    );
    assert.equal(t.magic, 'sql');
    assert.equal(t.needsSpark, true);
    assert.match(t.code, /^_sqldf = _spark_k8s_runtime\.sql_cell\(/);
    assert.deepEqual(pythonLiterals([statementsOf(t.code)]), [
      [
        ['sql', 'CREATE TEMP VIEW v AS SELECT 1', []],
        ['sql', "SELECT ';' AS x", []]
      ]
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
      const [items] = pythonLiterals([statementsOf(t.code)]) as unknown[][][];
      assert.deepEqual(items, [['sql', sql, []]]);
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
