import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonCompileError } from '../testing/python';
import { parseRun, resolvePath, translateCellAsync } from './run';

const nb = (...cells: string[]) =>
  JSON.stringify({
    nbformat: 4,
    cells: cells.map(source => ({ cell_type: 'code', source }))
  });

const FILES: Record<string, string> = {
  'lib/helpers.ipynb': nb(
    'def double(x):\n    return 2 * x',
    '%run ./more $level="deep"'
  ),
  'lib/more.py':
    '# Databricks notebook source\nLEVEL = dbutils.widgets.get("level")\n',
  'loop/a.ipynb': nb('%run ./b'),
  'loop/b.ipynb': nb('%run ./a')
};
const load = async (path: string) => FILES[path] ?? null;

describe('%run', () => {
  it('parses the target and $name="value" arguments', () => {
    assert.deepEqual(parseRun('./x $a="1 2" $b=3 c=\'q\''), {
      target: './x',
      params: { a: '1 2', b: '3', c: 'q' }
    });
    assert.throws(() => parseRun(''), /needs a notebook path/);
  });

  it('resolves paths relative to the caller', () => {
    assert.equal(resolvePath('a/b', '../c/./d'), 'a/c/d');
    assert.equal(resolvePath('a/b', '/top'), 'top');
  });

  it('inlines the callee, nested runs included, with widgets set', async () => {
    const t = await translateCellAsync('%run ./lib/helpers $env="prod"', {
      path: 'main.ipynb',
      load
    });
    assert.equal(t.magic, 'run');
    assert.equal(
      t.code,
      '_spark_k8s_runtime.run_inline("lib/helpers.ipynb", {"env": "prod"}, globals())'
    );
    // Each notebook of the closure is registered once, flat, before the cell runs.
    const prelude = t.prelude ?? '';
    assert.match(prelude, /register_run\("lib\/more\.py", \[/);
    assert.match(prelude, /register_run\("lib\/helpers\.ipynb", \[/);
    assert.match(
      prelude,
      /run_inline\(\\"lib\/more\.py\\", \{\\"level\\": \\"deep\\"\}, globals\(\)\)/
    );
    assert.equal(pythonCompileError(prelude + t.code), null);
  });

  it('grows linearly with a deep %run chain (each notebook escaped once)', async () => {
    const depth = 25;
    const files: Record<string, string> = {};
    for (let i = 0; i < depth; i++) {
      const cells = [`x${i} = "quote \\" and backslash \\\\ ${i}"`];
      if (i + 1 < depth) {
        cells.push(`%run ./n${i + 1}`);
      }
      files[`deep/n${i}.py`] =
        '# Databricks notebook source\n' +
        cells.join('\n\n# COMMAND ----------\n\n');
    }
    const t = await translateCellAsync('%run ./n0', {
      path: 'deep/main.ipynb',
      load: async p => files[p] ?? null
    });
    const size = (t.prelude ?? '').length + t.code.length;
    assert.ok(size < depth * 400, `closure of ${depth} is ${size} chars`);
    assert.equal((t.prelude ?? '').split('register_run(').length - 1, depth);
    assert.equal(pythonCompileError((t.prelude ?? '') + t.code), null);
  });

  it('names the chain of a cycle or a missing target', async () => {
    await assert.rejects(
      translateCellAsync('%run ./a', { path: 'loop/main.ipynb', load }),
      {
        message:
          '%run cycle: loop/main.ipynb \u2192 loop/a.ipynb \u2192 loop/b.ipynb \u2192 loop/a.ipynb.'
      }
    );
    await assert.rejects(
      translateCellAsync('%run ./nope', { path: 'x/main.ipynb', load }),
      {
        message:
          '%run ./nope: no notebook at x/nope.ipynb or x/nope.py or x/nope (run from x/main.ipynb).'
      }
    );
  });
});
