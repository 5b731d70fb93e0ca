/**
 * Figures, not pass/fail: the Jobs view opening in a real JupyterLab, from the
 * command to its rows visible, timed in the page, BENCH_ROUNDS times, each in
 * a freshly loaded page (the service keeps its watches: as for a user who
 * opens JupyterLab again). BENCH_EXPECT says what the namespace holds
 * ({applications, schedules}); the times go to BENCH_OUT.
 */
import { test } from '@jupyterlab/galata';
import { writeFileSync } from 'node:fs';

test.use({ autoGoto: true });

interface IExpect {
  applications: number;
  schedules: number;
}

interface IRound {
  /** Command to rows painted. */
  ms: number;
  rows: number;
  /** The view's performance marks (stream-open, snapshot, rendered), ms after the command. */
  marks: { [name: string]: number };
}

/** In the page: open the view, resolve when its rows (or its empty state) show. */
function measure(expected: IExpect): Promise<IRound> {
  const app = (window as any).jupyterapp;
  if (document.querySelector('.jp-SparkK8s-jobs')) {
    throw new Error(
      'the Jobs view was restored with the page: not a cold open'
    );
  }
  const visible = (el: Element | null) =>
    !!el && (el as HTMLElement).offsetHeight > 0;
  const ready = (): number | null => {
    const root = document.querySelector('.jp-SparkK8s-jobs');
    if (!visible(root)) {
      return null;
    }
    if (expected.applications === 0 && expected.schedules === 0) {
      return visible(root!.querySelector('.jp-SparkK8s-jobs-empty')) ? 0 : null;
    }
    const schedules = root!.querySelectorAll(
      'section[aria-label^="Schedule "]'
    ).length;
    const apps = root!.querySelector('table[aria-label="Applications"]');
    const rows = Array.from(root!.querySelectorAll('tr[data-run]')).filter(
      visible
    ).length;
    return schedules === expected.schedules && visible(apps) && rows > 0
      ? rows
      : null;
  };
  const started = performance.now();
  let failed = '';
  app.commands
    .execute('spark-k8s:open-jobs')
    .catch((e: Error) => (failed = `the command failed: ${e.message}`));
  return new Promise((resolve, reject) => {
    const check = () => {
      const rows = ready();
      if (rows !== null) {
        // Until the frame that shows them has been painted.
        requestAnimationFrame(() =>
          setTimeout(() => {
            const marks: { [name: string]: number } = {};
            for (const m of performance.getEntriesByType('mark')) {
              if (m.name.startsWith('spark-k8s-jobs:')) {
                marks[m.name.slice('spark-k8s-jobs:'.length)] =
                  m.startTime - started;
              }
            }
            resolve({ ms: performance.now() - started, rows, marks });
          })
        );
      } else if (performance.now() - started > 60_000) {
        const root = document.querySelector('.jp-SparkK8s-jobs');
        reject(
          new Error(
            `the Jobs view did not show its rows within 60 s; it shows: ${(root as HTMLElement | null)?.innerText.slice(0, 500)} ${failed} (command known: ${app.commands.hasCommand('spark-k8s:open-jobs')}, main: ${Array.from(
              app.shell.widgets('main')
            )
              .map((w: any) => w.id)
              .join(' ')})`
          )
        );
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
}

test('the Jobs view opening, timed', async ({ page }) => {
  const rounds = Number(process.env.BENCH_ROUNDS || 5);
  const expected: IExpect = JSON.parse(
    process.env.BENCH_EXPECT || '{"applications":0,"schedules":0}'
  );
  const ms: number[] = [];
  const marks: { [name: string]: number }[] = [];
  let rows = 0;
  // Whether the page opened the Jobs stream before the command (a restored view).
  let streamed = false;
  page.on('request', r => {
    if (r.url().includes('/spark-k8s-api/jobs/events')) {
      streamed = true;
    }
  });
  // Round 0 warms up (the service starts its list+watch; the chunks load); not counted.
  for (let round = 0; round <= rounds; round++) {
    if (round > 0) {
      streamed = false;
      // A fresh page on a reset workspace: nothing restored, the view opens cold.
      await page.goto('?reset');
    }
    if (streamed) {
      throw new Error(
        'the page restored the Jobs view (its stream opened before the command): not a cold open'
      );
    }
    const result = await page.evaluate(measure, expected);
    if (round > 0) {
      ms.push(result.ms);
      marks.push(result.marks);
    }
    rows = result.rows;
    // Closed, so the next page load does not restore it.
    await page.evaluate(() => {
      const app = (window as any).jupyterapp;
      for (const w of app.shell.widgets('main')) {
        if (w.id === 'jp-SparkK8s-jobs') {
          w.close();
        }
      }
    });
    // Its stream closes before the next page.
    await page.waitForTimeout(1000);
  }
  // The snapshot as the page receives it (through Jupyter's proxy), without the view.
  const snapshot = await page.evaluate(async () => {
    const base = (window as any).jupyterapp.serviceManager.serverSettings
      .baseUrl as string;
    const controller = new AbortController();
    const started = performance.now();
    const timer = setTimeout(() => controller.abort(), 60_000);
    // Jupyter's proxy streams only what asks for an event stream.
    const response = await fetch(`${base}spark-k8s-api/jobs/events`, {
      signal: controller.signal,
      headers: { Accept: 'text/event-stream' }
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let bytes = 0;
    let first = 0;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        break;
      }
      first = first || performance.now() - started;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      const start = text.indexOf('event: snapshot');
      if (start >= 0 && text.indexOf('\n\n', start) >= 0) {
        break;
      }
    }
    const received = performance.now() - started;
    clearTimeout(timer);
    controller.abort();
    const start = text.indexOf('data: ', text.indexOf('event: snapshot'));
    const data = text.slice(start + 6, text.indexOf('\n\n', start));
    const t = performance.now();
    JSON.parse(data);
    return {
      bytes,
      firstByteMs: first,
      receivedMs: received,
      parseMs: performance.now() - t
    };
  });
  writeFileSync(
    process.env.BENCH_OUT || 'jobs-view-open.json',
    JSON.stringify({ ms, rows, marks, snapshot })
  );
  console.log(`Jobs view opened in ${ms.map(m => m.toFixed(0)).join(', ')} ms`);
});
