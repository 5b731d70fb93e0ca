import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { INbCell } from '../databricks/model';
import { RUNTIME_MODULE, runJob } from '../kernel';
import { HOSTILE, mulberry32, randomNasty } from '../testing/hostile';
import { pythonCompileError } from '../testing/python';
import { notebookJobScript } from './job';

const PYTHON = process.env.PYTHON ?? 'python3';

function cell(
  cellType: INbCell['cell_type'],
  source: string,
  title?: string
): INbCell {
  return {
    id: 'x',
    cell_type: cellType,
    metadata:
      title === undefined ? {} : { spark_k8s: { title, language: 'python' } },
    source
  };
}

/**
 * Runs a job script with a stand-in runtime module whose run_job prints what
 * it received as JSON: what Python reads, not what the text looks like.
 */
function receivedByRunJob(script: string, fake: string): any {
  const out = execFileSync(PYTHON, ['-'], {
    input: script,
    env: { ...process.env, PYTHONPATH: fake },
    maxBuffer: 64 * 1024 * 1024
  });
  return JSON.parse(out.toString('utf8'));
}

describe('notebookJobScript', () => {
  let fake = '';
  before(() => {
    fake = mkdtempSync(join(tmpdir(), 'spark-k8s-fake-runtime-'));
    mkdirSync(join(fake, RUNTIME_MODULE));
    writeFileSync(
      join(fake, RUNTIME_MODULE, '__init__.py'),
      [
        'import json, sys',
        'def run_job(cells, notebook_path=None, secret_scopes=None, user_ns=None):',
        '    json.dump({"cells": cells, "path": notebook_path, "scopes": secret_scopes,',
        '               "ns": user_ns is not None and user_ns.get("__name__")}, sys.stdout, ensure_ascii=True)',
        ''
      ].join('\n')
    );
  });
  after(() => rmSync(fake, { recursive: true, force: true }));

  const load = async (path: string) =>
    path === 'team/lib/helpers.ipynb'
      ? JSON.stringify({
          nbformat: 4,
          cells: [{ cell_type: 'code', source: 'helper = 1' }]
        })
      : null;
  const options = {
    path: 'team/etl.ipynb',
    load,
    secretScopes: {
      team: {
        secret: 'team-secret',
        env: { token: 'SPARK_K8S_SECRET_TEAM_TOKEN' }
      }
    }
  };
  const nb = {
    cells: [
      cell('markdown', '# Title\ntext'),
      cell('code', 'x = 1\nprint(x)', 'First'),
      cell('code', '%sql SELECT 1 AS x'),
      cell('code', '%run ./lib/helpers'),
      cell('code', '   \n'),
      cell('raw', 'raw text')
    ]
  };

  it('passes every cell as data: index, title, type, source and translated code', async () => {
    const script = await notebookJobScript(nb, options);
    assert.equal(pythonCompileError(script), null);
    // The runtime comes from --py-files; the Spark conf from spark-submit.
    assert.match(script, /import spark_k8s_runtime as _spark_k8s_runtime/);
    assert.doesNotMatch(script, /start_session|spark\.master|base64/);
    const got = receivedByRunJob(script, fake);
    assert.equal(got.path, 'team/etl.ipynb');
    assert.deepEqual(got.scopes, options.secretScopes);
    assert.equal(got.ns, '__main__');
    assert.deepEqual(
      got.cells.map((c: any) => [c.index, c.title, c.type, c.source]),
      [
        [1, null, 'markdown', '# Title\ntext'],
        [2, 'First', 'code', 'x = 1\nprint(x)'],
        [3, null, 'code', '%sql SELECT 1 AS x'],
        [4, null, 'code', '%run ./lib/helpers'],
        [5, null, 'code', '   \n'],
        [6, null, 'raw', 'raw text']
      ]
    );
    // Plain Python runs as it is; magics are translated, %run resolved against the path.
    assert.equal('code' in got.cells[1], false);
    assert.match(got.cells[2].code, /^_sqldf = _spark_k8s_runtime\.sql_cell\(/);
    assert.match(
      got.cells[3].code,
      /register_run\("team\/lib\/helpers\.ipynb", \["helper = 1"\]\)\n_spark_k8s_runtime\.run_inline\("team\/lib\/helpers\.ipynb", \{\}, globals\(\)\)/
    );
    assert.equal('code' in got.cells[4], false);
    assert.equal('code' in got.cells[0] || 'code' in got.cells[5], false);
  });

  it('is deterministic: the same notebook gives the same bytes', async () => {
    const first = await notebookJobScript(nb, options);
    const copy = JSON.parse(JSON.stringify(nb));
    const second = await notebookJobScript(copy, {
      ...options,
      secretScopes: JSON.parse(JSON.stringify(options.secretScopes))
    });
    assert.equal(second, first);
    // One cell per line: a changed cell changes one line.
    const changed = await notebookJobScript(
      {
        cells: [
          ...nb.cells.slice(0, 1),
          cell('code', 'x = 2\nprint(x)', 'First'),
          ...nb.cells.slice(2)
        ]
      },
      options
    );
    const a = first.split('\n');
    const b = changed.split('\n');
    assert.equal(a.length, b.length);
    assert.equal(a.filter((line, i) => line !== b[i]).length, 1);
  });

  it('keeps hostile titles, sources, paths and scope names as data', async () => {
    const rng = mulberry32(9);
    const strings = [
      ...HOSTILE,
      ...Array.from({ length: 40 }, () => randomNasty(rng))
    ];
    // Sources of plain Python cells (no leading %): carried and run as they are.
    const cells = strings.map((s, i) =>
      cell(i % 3 === 0 ? 'markdown' : 'code', s.replace(/^\s*%/, ''), s)
    );
    const path = HOSTILE[9] + '/' + HOSTILE[14] + '.ipynb';
    const scopes = {
      [HOSTILE[10]]: {
        secret: HOSTILE[3],
        env: { [HOSTILE[11]]: 'SPARK_K8S_SECRET_X' }
      }
    };
    const script = await notebookJobScript(
      { cells },
      { path, load: async () => null, secretScopes: scopes }
    );
    assert.equal(pythonCompileError(script), null);
    assert.doesNotMatch(script, /^\s*(import os|os\.system)/m);
    const got = receivedByRunJob(script, fake);
    assert.equal(got.path, path);
    assert.deepEqual(got.scopes, scopes);
    got.cells.forEach((c: any, i: number) => {
      assert.equal(c.index, i + 1);
      assert.equal(c.title, strings[i] === '' ? null : strings[i]);
      assert.equal(c.source, cells[i].source);
    });
  });

  it('fails with the missing %run target named', async () => {
    await assert.rejects(
      notebookJobScript({ cells: [cell('code', '%run ./gone')] }, options),
      /no notebook at team\/gone\.ipynb/
    );
  });
});

describe('runJob', () => {
  it('refuses an index that is not a position', () => {
    assert.throws(
      () =>
        runJob([{ index: 0, title: null, type: 'code', source: '' }], {
          notebookPath: 'x'
        }),
      /positive integer/
    );
  });

  it('writes an empty notebook as an empty list', () => {
    assert.match(runJob([], { notebookPath: 'x' }), /run_job\(\n {4}\[\],\n/);
  });
});
