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
    assert.match(
      t.code,
      /^_spark_k8s_runtime\.run_inline\("lib\/helpers\.ipynb", \{"env": "prod"\}, \[/
    );
    assert.match(
      t.code,
      /run_inline\(\\"lib\/more\.py\\", \{\\"level\\": \\"deep\\"\}/
    );
    assert.equal(pythonCompileError(t.code), null);
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
