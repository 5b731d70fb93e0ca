import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import {
  archiveEntryPath,
  importDatabricksIpynb,
  importDbc,
  importExport,
  importHtml,
  isDatabricksIpynb
} from './formats';
import { freePath, numberedPath } from './names';
import { exportSource, importSource } from './source';

const SOURCE = [
  '# Databricks notebook source',
  'x = 1',
  '',
  '# COMMAND ----------',
  '',
  '# MAGIC %md',
  '# MAGIC # Title',
  '# MAGIC',
  '# MAGIC Some *text*',
  '',
  '# COMMAND ----------',
  '',
  '# DBTITLE 1,Load the data',
  '# MAGIC %sql SELECT * FROM t',
  '# MAGIC WHERE a = 1',
  '',
  '#   COMMAND ---------- ',
  '# DBTITLE 0,hidden',
  'def f():',
  '',
  '    return 2',
  '',
  '# COMMAND ----------',
  '',
  '# MAGIC %scala',
  '# MAGIC val x = 1',
  ''
].join('\n');

describe('importSource', () => {
  const nb = importSource(SOURCE, 'py', 'demo');

  it('splits cells tolerantly and strips MAGIC prefixes, bare ones too', () => {
    assert.deepEqual(
      nb.cells.map(c => [c.cell_type, c.source]),
      [
        ['code', 'x = 1'],
        ['markdown', '# Title\n\nSome *text*'],
        ['code', '%sql SELECT * FROM t\nWHERE a = 1'],
        ['code', 'def f():\n\n    return 2'],
        ['code', '%scala\nval x = 1']
      ]
    );
  });

  it('keeps titles and per-cell languages in cell metadata', () => {
    assert.deepEqual(
      nb.cells.map(c => c.metadata.spark_k8s),
      [
        { language: 'python' },
        { language: 'markdown' },
        { language: 'sql', title: 'Load the data', showTitle: true },
        { language: 'python', title: 'hidden', showTitle: false },
        { language: 'scala' }
      ]
    );
    assert.deepEqual(nb.metadata.spark_k8s?.databricks, {
      language: 'python',
      name: 'demo'
    });
  });

  it('round-trips through SOURCE export', () => {
    assert.deepEqual(importSource(exportSource(nb), 'py', 'demo'), nb);
  });

  it('makes plain cells of a SQL notebook explicit %sql cells', () => {
    const sql = importSource(
      '-- Databricks notebook source\nSELECT 1\n\n-- COMMAND ----------\n\n-- MAGIC %md hi\n',
      'sql'
    );
    assert.deepEqual(
      sql.cells.map(c => c.source),
      ['%sql\nSELECT 1', 'hi']
    );
    assert.equal(sql.cells[0].metadata.spark_k8s?.language, 'sql');
    const again = importSource(exportSource(sql), 'py');
    assert.deepEqual(again.cells, sql.cells);
  });

  it('refuses a file that is not a SOURCE export, saying what it expected', () => {
    assert.throws(
      () => importSource('print(1)\n'),
      /first line should be "# Databricks notebook source"/
    );
  });
});

const V1 = {
  version: 'NotebookV1',
  name: 'etl',
  language: 'python',
  commands: [
    { command: '%sql SELECT 2', position: 2.5, commandTitle: 'second' },
    { command: '%md # Head', position: 0.5 },
    { command: 'print(1)', position: 1.0 }
  ]
};

describe('NotebookV1 exports', () => {
  it('sorts .dbc commands by their float position and keeps folders', async () => {
    const zip = execFileSync('python3', [
      '-c',
      'import sys, zipfile, io, json\n' +
        'buf = io.BytesIO()\n' +
        'with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:\n' +
        '    z.writestr("Shared/etl.python", sys.argv[1])\n' +
        '    z.writestr("Shared/sub/", "")\n' +
        '    z.writestr("Shared/sub/q.sql", json.dumps({"name": "q", "language": "sql", "commands": [{"command": "SELECT 1", "position": 1}]}))\n' +
        'sys.stdout.buffer.write(buf.getvalue())',
      JSON.stringify(V1)
    ]);
    const notebooks = await importDbc(new Uint8Array(zip));
    assert.deepEqual([...notebooks.keys()].sort(), [
      'Shared/etl.ipynb',
      'Shared/sub/q.ipynb'
    ]);
    const etl = notebooks.get('Shared/etl.ipynb')!;
    assert.deepEqual(
      etl.cells.map(c => c.source),
      ['# Head', 'print(1)', '%sql SELECT 2']
    );
    assert.equal(etl.cells[2].metadata.spark_k8s?.title, 'second');
    assert.deepEqual(
      notebooks.get('Shared/sub/q.ipynb')!.cells[0].source,
      '%sql\nSELECT 1'
    );
    // Every format round-trips through a SOURCE export.
    for (const nb of notebooks.values()) {
      assert.deepEqual(importSource(exportSource(nb), 'py').cells, nb.cells);
    }
  });

  it('reads the model embedded in an HTML export', () => {
    const encoded = Buffer.from(
      encodeURIComponent(JSON.stringify(V1))
    ).toString('base64');
    const html = `<html><script>var __DATABRICKS_NOTEBOOK_MODEL = '${encoded}';</script></html>`;
    assert.deepEqual(
      importHtml(html).cells.map(c => c.source),
      ['# Head', 'print(1)', '%sql SELECT 2']
    );
    const fromHtml = importHtml(html);
    assert.deepEqual(
      importSource(exportSource(fromHtml), 'py').cells,
      fromHtml.cells
    );
    assert.throws(
      () => importHtml('<html></html>'),
      /not a Databricks notebook export/
    );
  });

  it('rejects a file that is not a zip with a clear error', async () => {
    await assert.rejects(
      importExport('x.dbc', new TextEncoder().encode('nope')),
      /not a zip archive/
    );
  });
});

describe('Databricks .ipynb', () => {
  it('keeps titles and widgets from Databricks metadata', () => {
    const nb = importDatabricksIpynb({
      nbformat: 4,
      nbformat_minor: 0,
      metadata: {
        'application/vnd.databricks.v1+notebook': {
          notebookName: 'report',
          language: 'python',
          widgets: {
            env: {
              currentValue: 'prod',
              widgetInfo: {
                widgetType: 'dropdown',
                defaultValue: 'dev',
                label: 'Env',
                name: 'env',
                options: { choices: ['dev', 'prod'] }
              }
            }
          }
        }
      },
      cells: [
        { cell_type: 'markdown', metadata: {}, source: ['# Report'] },
        {
          cell_type: 'code',
          metadata: {
            'application/vnd.databricks.v1+cell': {
              title: 'Query',
              showTitle: true
            }
          },
          source: ['%sql\n', 'SELECT 1']
        }
      ]
    });
    assert.deepEqual(
      nb.cells.map(c => [c.cell_type, c.source, c.metadata.spark_k8s?.title]),
      [
        ['markdown', '# Report', undefined],
        ['code', '%sql\nSELECT 1', 'Query']
      ]
    );
    assert.deepEqual(importSource(exportSource(nb), 'py').cells, nb.cells);
    assert.deepEqual(nb.metadata.spark_k8s?.widgets, {
      env: {
        type: 'dropdown',
        defaultValue: 'dev',
        label: 'Env',
        choices: ['dev', 'prod']
      }
    });
  });
});

/** A .dbc (zip) whose entries are named exactly as given, built by Python's zipfile. */
function dbcWith(names: string[]): Uint8Array {
  const zip = execFileSync('python3', [
    '-c',
    'import sys, zipfile, io, json\n' +
      'buf = io.BytesIO()\n' +
      'with zipfile.ZipFile(buf, "w") as z:\n' +
      '    for name in sys.argv[2:]:\n' +
      '        z.writestr(zipfile.ZipInfo(name), sys.argv[1])\n' +
      'sys.stdout.buffer.write(buf.getvalue())',
    JSON.stringify(V1),
    ...names
  ]);
  return new Uint8Array(zip);
}

describe('imports never lose work', () => {
  for (const entry of [
    '../../x/y.python',
    'Shared/../../y.python',
    '/etc/y.python',
    'C:/y.python',
    'Shared\\..\\..\\y.python'
  ]) {
    it(`refuses a .dbc whose entry ${JSON.stringify(entry)} leaves the archive`, async () => {
      await assert.rejects(
        importExport('team.dbc', dbcWith(['Shared/ok.python', entry])),
        (e: Error) =>
          e.message.includes(`"${entry}"`) &&
          /outside the archive's folder/.test(e.message) &&
          /nothing was written/.test(e.message)
      );
    });
  }

  it('keeps harmless odd names inside the archive', async () => {
    const notebooks = await importDbc(
      dbcWith(['./Shared//a.python', 'Shared/..b.python'])
    );
    assert.deepEqual([...notebooks.keys()].sort(), [
      'Shared/..b.ipynb',
      'Shared/a.ipynb'
    ]);
    assert.equal(archiveEntryPath('a/./b/c.python'), 'a/b/c.python');
  });

  it('refuses an ordinary Jupyter notebook: there is nothing to import', async () => {
    const ordinary = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3' } },
      cells: [
        {
          cell_type: 'code',
          metadata: { tags: ['keep'] },
          source: 'print(1)',
          outputs: [{ output_type: 'stream', name: 'stdout', text: '1\n' }],
          execution_count: 1
        }
      ]
    };
    assert.equal(isDatabricksIpynb(ordinary), false);
    await assert.rejects(
      importExport(
        'mine.ipynb',
        new TextEncoder().encode(JSON.stringify(ordinary))
      ),
      /ordinary Jupyter notebook, not a Databricks export/
    );
  });

  it('picks a free name instead of overwriting', async () => {
    assert.equal(numberedPath('a/x.ipynb', 1), 'a/x (1).ipynb');
    assert.equal(numberedPath('a.b/x', 2), 'a.b/x (2)');
    assert.equal(numberedPath('.hidden', 1), '.hidden (1)');
    const taken = new Set(['a/x.ipynb', 'a/x (1).ipynb']);
    assert.equal(
      await freePath('a/x.ipynb', p => taken.has(p)),
      'a/x (2).ipynb'
    );
    assert.equal(await freePath('a/y.ipynb', p => taken.has(p)), 'a/y.ipynb');
  });
});
