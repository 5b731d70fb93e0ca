/**
 * Figures, not pass/fail: the time to build the publish objects (job script,
 * ConfigMap, application, YAML) for a 500-cell notebook whose `%run` closure
 * holds 20 notebooks, against a baseline run in the same process: the plain
 * script of the same notebook (`spark-k8s script`), which does the same
 * translation without manifests.
 *
 *   node build/bench/manifest_bench.js [--rounds N]
 */
import {
  buildPublication,
  LOCAL_PROFILE,
  notebookScript,
  publishDefaults,
  scheduleDefaults,
  sessionConf
} from '../src/core';

const CELLS = 500;
const CLOSURE = 20;

function cellSource(i: number): string {
  switch (i % 5) {
    case 0:
      return `%sql\nSELECT id, id * ${i} AS v FROM range(100) WHERE id > \${limit}`;
    case 1:
      return `# md\n## Step ${i}`;
    case 2:
      return `df${i} = spark.range(${i}).selectExpr("id", "id % 7 AS k")\ndisplay(df${i})`;
    case 3:
      return `%md\nNotes for step ${i}: **bold** and \`code\`.`;
    default:
      return `x${i} = dbutils.widgets.get("limit")\nprint(x${i}, ${i})`;
  }
}

function nb(cells: string[]) {
  return {
    cells: cells.map((source, i) => ({
      id: `c${i}`,
      cell_type: (source.startsWith('# md') ? 'markdown' : 'code') as
        'code' | 'markdown',
      metadata: {},
      source
    })),
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: {
        name: 'python3',
        display_name: 'Python 3',
        language: 'python'
      },
      language_info: { name: 'python' }
    } as never
  };
}

const files: Record<string, string> = {};
for (let n = 0; n < CLOSURE; n++) {
  const cells = Array.from({ length: 10 }, (_, i) => cellSource(i + n));
  if (n + 1 < CLOSURE) {
    cells.push(`%run ./part${n + 1}`);
  }
  files[`bench/lib/part${n}.ipynb`] = JSON.stringify(nb(cells));
}
const mainCells = Array.from({ length: CELLS }, (_, i) => cellSource(i));
mainCells[1] = '%run ./lib/part0';
const notebook = nb(mainCells);
const load = async (path: string) =>
  files[path] ?? files[`${path}.ipynb`] ?? null;

async function time(fn: () => Promise<unknown>, rounds: number) {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) =>
    samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { median: q(0.5), p95: q(0.95) };
}

async function main() {
  const arg = process.argv.indexOf('--rounds');
  const rounds = arg > 0 ? Number(process.argv[arg + 1]) : 20;
  const form = publishDefaults({
    notebookPath: 'bench/big.ipynb',
    namespace: 'bench',
    parameters: { limit: '10' },
    secretScopes: {},
    timeZone: 'UTC'
  });
  form.schedule = scheduleDefaults('Europe/Paris');
  const source = { notebook, path: 'bench/big.ipynb', load };
  const conf = sessionConf(LOCAL_PROFILE, { appName: 'big' });
  // Warm up both paths (JIT), then measure them interleaved in one process.
  const first = await buildPublication(source, form);
  if ('problems' in first) {
    throw new Error(first.problems.map(p => p.message).join('\n'));
  }
  await notebookScript(notebook, {
    conf,
    sourceName: 'big.ipynb',
    path: 'bench/big.ipynb',
    load
  });
  const baseline = await time(
    () =>
      notebookScript(notebook, {
        conf,
        sourceName: 'big.ipynb',
        path: 'bench/big.ipynb',
        load
      }),
    rounds
  );
  const publish = await time(() => buildPublication(source, form), rounds);
  const p = first.publication;
  console.log(
    `manifests for ${CELLS} cells + a ${CLOSURE}-notebook %run closure ` +
      `(script ${p.script.length} chars, ConfigMap ${p.bytes} bytes, YAML ${p.yaml.length} chars), ${rounds} rounds:`
  );
  console.log(
    `  baseline (plain script)   median ${baseline.median.toFixed(1)} ms  p95 ${baseline.p95.toFixed(1)} ms`
  );
  console.log(
    `  publication (all objects) median ${publish.median.toFixed(1)} ms  p95 ${publish.p95.toFixed(1)} ms` +
      `  ratio ${(publish.median / baseline.median).toFixed(2)}x`
  );
}

void main();
