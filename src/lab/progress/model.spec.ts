import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  elapsedText,
  IProgressData,
  isProgressData,
  IWords,
  jobUrl,
  stageText,
  stateText,
  summaryText
} from './model';

const words: IWords = {
  __: (text, ...args) =>
    text.replace(/%(\d)/g, (_, n) => String(args[Number(n) - 1])),
  _n: (one, many, n, ...args) =>
    (n === 1 ? one : many).replace(/%(\d)/g, (_, k) =>
      String([n, ...args][Number(k) - 1])
    )
};

function data(over: Partial<IProgressData> = {}): IProgressData {
  return {
    version: 1,
    description: 'cell [4]: SELECT 1',
    state: 'done',
    elapsed: 4.24,
    uiPort: 4040,
    totals: {
      jobs: 3,
      running: 0,
      failedJobs: 0,
      stages: 12,
      skippedStages: 0,
      tasks: 40,
      done: 40,
      failedTasks: 0,
      skippedTasks: 0
    },
    jobs: [
      { id: 0, status: 'succeeded' },
      { id: 1, status: 'succeeded' },
      { id: 2, status: 'succeeded' }
    ],
    active: [],
    ...over
  };
}

test('the summary reads "3 jobs · 12 stages · 4.2 s"', () => {
  assert.equal(summaryText(data(), words), '3 jobs · 12 stages · 4.2 s');
});

test('skipped stages, failed tasks and failed jobs are counted in the summary', () => {
  const d = data();
  d.totals = {
    ...d.totals,
    jobs: 1,
    stages: 1,
    skippedStages: 2,
    failedTasks: 1,
    failedJobs: 1
  };
  assert.equal(
    summaryText(d, words),
    '1 job · 1 stage · 2 skipped · 1 failed task · 1 job failed · 4.2 s'
  );
});

test('elapsed time reads in seconds, minutes, hours', () => {
  assert.equal(elapsedText(0, words), '0.0 s');
  assert.equal(elapsedText(185, words), '3 min 5 s');
  assert.equal(elapsedText(3720, words), '1 h 2 min');
});

test('state words name running jobs and a cancel', () => {
  const running = data({ state: 'running' });
  running.totals = { ...running.totals, running: 2 };
  assert.equal(stateText(running, words), 'Spark: 2 jobs running');
  assert.equal(
    stateText(data({ state: 'cancelled' }), words),
    'Spark: cancelled'
  );
});

test('a stage shows done/total tasks with running and failed ones', () => {
  assert.equal(
    stageText(
      { id: 1, name: 'x', total: 8, done: 3, active: 2, failed: 1 },
      words
    ),
    '3/8 tasks · 2 running · 1 failed'
  );
});

test('job links go through the /sparkui/<port>/ route under the base URL', () => {
  assert.equal(
    jobUrl('/user/ana/', 4041, 7),
    '/user/ana/sparkui/4041/jobs/job/?id=7'
  );
  assert.equal(jobUrl('/base', 4040, 0), '/base/sparkui/4040/jobs/job/?id=0');
});

test('only version 1 data with its lists is accepted', () => {
  assert.equal(isProgressData(data()), true);
  assert.equal(isProgressData({ version: 2 }), false);
  assert.equal(isProgressData(null), false);
  assert.equal(isProgressData({ ...data(), jobs: 'x' }), false);
});
