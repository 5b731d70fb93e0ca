import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import contract from '../core/kernel/contract.json';
import { pyStrDict } from '../core/kernel/pystr';
import { CliError } from './errors';
import { main } from './main';
import { DEFAULT_TOKEN_ENV, scriptFor, scriptProfile } from './script';

function notebookFile(dir: string, cells: string[]): string {
  const path = join(dir, 'demo.ipynb');
  writeFileSync(
    path,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: cells.map(source => ({
        cell_type: 'code',
        metadata: {},
        source,
        outputs: [],
        execution_count: null
      }))
    })
  );
  return path;
}

/** The script starts its session with exactly `conf` (keys in this order). */
function assertStartsWith(script: string, conf: Record<string, string>): void {
  assert.ok(
    script.includes(`.start_session(${pyStrDict(conf)}, `),
    script
      .split('\n')
      .filter(l => l.includes('start_session'))
      .join('\n')
  );
}

describe('spark-k8s script: --master and --remote', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-k8s-script-'));
  const nb = notebookFile(dir, ['display(spark.range(3))']);

  it('makes spark:// a standalone profile and sc:// a connect profile', () => {
    assert.deepEqual(
      scriptProfile({ master: 'spark://m1:7077,m2:7077' }, { 'spark.x': '1' }),
      {
        name: 'script',
        kind: 'standalone',
        master: 'spark://m1:7077,m2:7077',
        conf: { 'spark.x': '1' }
      }
    );
    assert.deepEqual(scriptProfile({ remote: 'sc://h:15002' }, {}), {
      name: 'script',
      kind: 'connect',
      remote: 'sc://h:15002',
      token: { env: DEFAULT_TOKEN_ENV },
      conf: {}
    });
    assert.deepEqual(
      scriptProfile(
        { remote: 'sc://h', tls: true, tokenFile: 'secrets/token' },
        {},
        '/home/alice'
      ),
      {
        name: 'script',
        kind: 'connect',
        remote: 'sc://h',
        tls: true,
        token: { file: '/home/alice/secrets/token' },
        conf: {}
      }
    );
    assert.deepEqual(
      scriptProfile({ remote: 'sc://h', tokenEnv: 'MY_TOKEN' }, {}).kind,
      'connect'
    );
    assert.equal(scriptProfile({}, {}).kind, 'local');
    assert.equal(scriptProfile({ master: 'local[2]' }, {}).kind, 'local');
  });

  it('refuses flags that do not go together, saying which', () => {
    assert.throws(
      () => scriptProfile({ master: 'spark://m:7077', remote: 'sc://h' }, {}),
      (e: Error) =>
        e instanceof CliError &&
        /--master and --remote exclude each other/.test(e.message)
    );
    assert.throws(
      () => scriptProfile({ tokenFile: '/t', tls: true }, {}),
      /--tls, --token-file only go with --remote sc:\/\/host:port/
    );
    assert.throws(
      () =>
        scriptProfile({ remote: 'sc://h', tokenFile: '/t', tokenEnv: 'T' }, {}),
      /--token-file and --token-env exclude each other/
    );
    assert.throws(
      () =>
        scriptProfile({ remote: 'sc://h', tokenEnv: 'T', noToken: true }, {}),
      /--token-env and --no-token exclude each other/
    );
    assert.throws(
      () => scriptProfile({ master: 'local[1]', noToken: true }, {}),
      /--no-token only goes with --remote/
    );
    assert.deepEqual(scriptProfile({ remote: 'sc://h', noToken: true }, {}), {
      name: 'script',
      kind: 'connect',
      remote: 'sc://h',
      conf: {}
    });
  });

  it('writes the standalone session conf the panel sends, runnable as is', async () => {
    const script = await scriptFor({
      notebook: nb,
      master: 'spark://127.0.0.1:7077',
      conf: ['spark.executor.memory=512m']
    });
    assertStartsWith(script, {
      'spark.master': 'spark://127.0.0.1:7077',
      'spark.app.name': 'demo',
      'spark.driver.memory': '1g',
      'spark.ui.enabled': 'true',
      'spark.sql.variable.substitute': 'false',
      [contract.driverPorts.conf]: '7078-7099',
      'spark.executor.memory': '512m'
    });
  });

  it('writes the connect conf: the token reference, never a token', async () => {
    const file = join(dir, 'it\'s a "token" file; rm -rf ~');
    const script = await scriptFor({
      notebook: nb,
      remote: 'sc://127.0.0.1:15002',
      tokenFile: file,
      conf: ['spark.sql.shuffle.partitions=3']
    });
    assertStartsWith(script, {
      'spark.remote': 'sc://127.0.0.1:15002',
      [contract.connect.tokenFile]: file,
      'spark.sql.shuffle.partitions': '3'
    });
    assertStartsWith(
      await scriptFor({ notebook: nb, remote: 'sc://h:1', conf: [] }),
      {
        'spark.remote': 'sc://h:1',
        [contract.connect.tokenEnv]: 'SPARK_CONNECT_TOKEN'
      }
    );
  });

  it('refuses a token in the URL and bad masters with what to do', async () => {
    await assert.rejects(
      scriptFor({
        notebook: nb,
        remote: 'sc://h:15002/;token=s3cr3t',
        conf: []
      }),
      (e: Error) =>
        e instanceof CliError &&
        /^--remote: remote "sc:\/\/h:15002\/;token=s3cr3t" is not a Spark Connect URL: it has parameters/.test(
          e.message
        )
    );
    await assert.rejects(
      scriptFor({ notebook: nb, master: 'spark://m1:7077,m2', conf: [] }),
      /--master: master "spark:\/\/m1:7077,m2" is not a standalone master: "m2" has no port/
    );
    await assert.rejects(
      scriptFor({ notebook: nb, remote: 'sc://h', tokenEnv: 'A-B', conf: [] }),
      /token variable "A-B" is not an environment variable name/
    );
  });

  it('runs from the command line, errors on stderr with status 2 and no file', async () => {
    const out = join(dir, 'out.py');
    const write = process.stderr.write.bind(process.stderr);
    let stderr = '';
    process.stderr.write = ((chunk: string) => {
      stderr += chunk;
      return true;
    }) as typeof process.stderr.write;
    let bad: number;
    try {
      bad = await main([
        'script',
        nb,
        '-o',
        out,
        '--remote',
        'sc://h;token=x',
        '--token-env',
        'T'
      ]);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(bad, 2);
    assert.match(stderr, /^spark-k8s: --remote: remote .* has parameters/);
    assert.throws(() => readFileSync(out));
    const ok = await main([
      'script',
      nb,
      '-o',
      out,
      '--remote',
      'sc://h:15002',
      '--tls',
      '--token-env',
      'MY_TOKEN'
    ]);
    assert.equal(ok, 0);
    assertStartsWith(readFileSync(out, 'utf8'), {
      'spark.remote': 'sc://h:15002',
      [contract.connect.tls]: 'true',
      [contract.connect.tokenEnv]: 'MY_TOKEN'
    });
  });
});
