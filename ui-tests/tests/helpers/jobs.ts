/**
 * The Jobs view as a test sees it, and a recorder of the states a run shows.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

/** The Jobs view (a main-area tab). */
export class JobsView {
  constructor(readonly page: IJupyterLabPageFixture) {
    this.root = page.locator('.jp-SparkK8s-jobs');
  }

  readonly root: Locator;

  /** A schedule's section. */
  schedule(name: string): Locator {
    return this.root.getByRole('region', { name: `Schedule ${name}` });
  }

  /** A schedule's button. */
  scheduleButton(name: string, button: string): Locator {
    return this.schedule(name).getByRole('button', {
      name: button,
      exact: true
    });
  }

  /** The rows of a schedule's runs. */
  runsOf(name: string): Locator {
    return this.root
      .getByRole('table', { name: `Runs of ${name}` })
      .locator('tbody tr');
  }

  /** The selected run's details. */
  details(run: string): Locator {
    return this.root.getByRole('region', { name: `Details of run ${run}` });
  }

  /** The selected run's state as the view shows it. */
  state(run: string): Locator {
    return this.details(run).locator('.jp-SparkK8s-jobs-state');
  }

  log(run: string): Locator {
    return this.details(run).getByLabel(`Driver log of ${run}`);
  }

  logStatus(run: string): Locator {
    return this.details(run).getByRole('status', { name: 'Driver log status' });
  }
}

/**
 * Records, every 50 ms in the page, the distinct states the newest run of
 * schedule `name` shows (a quick state would slip between two Playwright
 * polls); call the result to stop and get them.
 */
export async function recordStates(
  page: IJupyterLabPageFixture,
  schedule: string
): Promise<() => Promise<string[]>> {
  await page.evaluate(name => {
    const w = window as any;
    w.__sparkStates = [];
    w.__sparkStatesSample = () => {
      const region = document.querySelector(
        `table[aria-label="Runs of ${name}"] tbody tr:first-child .jp-SparkK8s-jobs-state`
      );
      const text = region?.textContent ?? '';
      const seen: string[] = w.__sparkStates;
      if (text && seen[seen.length - 1] !== text) {
        seen.push(text);
      }
    };
    w.__sparkStatesTimer = setInterval(w.__sparkStatesSample, 50);
  }, schedule);
  return () =>
    page.evaluate(() => {
      const w = window as any;
      clearInterval(w.__sparkStatesTimer);
      w.__sparkStatesSample();
      return w.__sparkStates as string[];
    });
}
