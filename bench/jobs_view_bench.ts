/**
 * Figures, not pass/fail: what the Jobs view's model does when it opens on a
 * big namespace — 200 one-off applications and 20 schedules with 100 runs
 * each (2,000 runs) — from the stream's snapshot text to the rows it shows,
 * against a baseline run in the same process: parsing that snapshot's JSON,
 * which any view has to do.
 *
 *   node build/bench/jobs_view_bench.js [--rounds N]
 */
import type {
  IClusterInfo,
  IRunSummary,
  IScheduleSummary,
  JobsStreamMessage
} from '../src/core';
import { JobsModel } from '../src/lab/jobs/model';

const STATES: IRunSummary['state'][] = [
  'completed',
  'failed',
  'running',
  'submitted',
  'completed'
];

function run(name: string, i: number, schedule?: string): IRunSummary {
  const at = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
  return {
    operator: 'kubeflow',
    name,
    state: STATES[i % STATES.length],
    stateText: 'Completed',
    attempts: 1,
    createdAt: at,
    submittedAt: at,
    endedAt: at,
    owner: 'alice',
    notebookPath: `etl/${schedule ?? name}.ipynb`,
    contentHash: 'ab'.repeat(32),
    scheduleName: schedule,
    driverPod: `${name}-driver`,
    arguments: ['--day', String(i)]
  };
}

function snapshotText(): string {
  const runs: IRunSummary[] = [];
  const schedules: IScheduleSummary[] = [];
  for (let a = 0; a < 200; a++) {
    runs.push(run(`app-${a}`, a));
  }
  for (let s = 0; s < 20; s++) {
    const name = `nightly-${s}`;
    schedules.push({
      name,
      namespace: 'team',
      uid: `uid-${name}`,
      schedule: `${s % 60} 6 * * 1-5`,
      timeZone: 'Europe/Paris',
      suspended: s % 7 === 0,
      concurrencyPolicy: 'Forbid',
      owner: 'alice',
      notebookPath: `etl/${name}.ipynb`,
      arguments: []
    });
    for (let r = 0; r < 100; r++) {
      runs.push(run(`${name}-${r}`, r, name));
    }
  }
  const message: JobsStreamMessage = {
    type: 'snapshot',
    runs,
    schedules,
    connected: true
  };
  return JSON.stringify(message);
}

const CLUSTER = { available: true } as unknown as IClusterInfo;

function open(text: string): number {
  let send: (m: JobsStreamMessage) => void = () => undefined;
  const client = {
    cluster: () => Promise.resolve(CLUSTER),
    jobsStream: (onMessage: (m: JobsStreamMessage) => void) => {
      send = onMessage;
      return { close: () => undefined };
    }
  } as unknown as JobsModel.IOptions['client'];
  const model = new JobsModel({ client, user: 'alice', locale: 'en-GB' });
  model.start();
  send(JSON.parse(text) as JobsStreamMessage);
  // What the view renders: schedule rows (cron in words, next run) and one-off runs.
  const rows = model.scheduleRows().length + model.oneOffRuns.length;
  model.dispose();
  return rows;
}

function time(fn: () => unknown, rounds: number) {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) =>
    samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { median: q(0.5), p95: q(0.95) };
}

function main() {
  const arg = process.argv.indexOf('--rounds');
  const rounds = arg > 0 ? Number(process.argv[arg + 1]) : 20;
  const text = snapshotText();
  const rows = open(text); // warm-up
  const baseline = time(() => JSON.parse(text), rounds);
  const model = time(() => open(text), rounds);
  console.log(
    `Jobs view model on open: 200 applications + 20 schedules x 100 runs (snapshot ${text.length} bytes, ${rows} rows), ${rounds} rounds:`
  );
  console.log(
    `  baseline (JSON.parse of the snapshot)  median ${baseline.median.toFixed(1)} ms  p95 ${baseline.p95.toFixed(1)} ms`
  );
  console.log(
    `  model (snapshot to rows)               median ${model.median.toFixed(1)} ms  p95 ${model.p95.toFixed(1)} ms` +
      `  ratio ${(model.median / baseline.median).toFixed(2)}x (goal: view open < 500 ms)`
  );
}

main();
