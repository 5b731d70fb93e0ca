/**
 * The progress output under a running cell: a line with the state and counts,
 * one bar per running stage, a Cancel link while the cell runs, and at the end
 * the summary with a link to each job's page in the Spark UI.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import '../../../style/progress.css';
import {
  IProgressData,
  isProgressData,
  IWords,
  jobUrl,
  stageFraction,
  stageText,
  stateText,
  summaryText
} from './model';

/** The notebook side of a progress output: is its cell running, and how to stop it. */
export interface IProgressHost {
  /** Whether the cell holding `node` is running now (so Cancel may be offered). */
  isRunning(node: HTMLElement): boolean;
  /** The server's base URL (the Spark UI is proxied under it). */
  readonly baseUrl: string;
  /** Interrupt the kernel of the notebook holding `node`: its Spark jobs are cancelled. */
  cancel(node: HTMLElement): void;
  /** Whether Cancel was already asked for the cell holding `node` (this run). */
  isCancelling(node: HTMLElement): boolean;
}

const CLASS = 'jp-SparkK8s-progress';

/** Renders `PROGRESS_MIME` data. */
export class ProgressRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(
    private _mimeType: string,
    private _words: IWords,
    private _host: IProgressHost
  ) {
    super();
    this.addClass(CLASS);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this._mimeType];
    this.node.textContent = '';
    if (!isProgressData(data)) {
      this.node.textContent = this._words.__(
        'This Spark progress output comes from another version of the extension.'
      );
      return;
    }
    this.node.dataset.state = data.state;
    this.node.appendChild(this._head(data));
    if (data.state === 'running') {
      for (const job of data.active) {
        for (const stage of job.stages) {
          this.node.appendChild(this._stage(job.id, stage));
        }
      }
    }
    const links = this._links(data);
    if (links) {
      this.node.appendChild(links);
    }
  }

  private _head(data: IProgressData): HTMLElement {
    const head = element('div', `${CLASS}-head`);
    head.appendChild(
      element('span', `${CLASS}-state`, stateText(data, this._words))
    );
    head.appendChild(
      element('span', `${CLASS}-summary`, summaryText(data, this._words))
    );
    head.title = data.description;
    if (data.state === 'running' && this._host.isRunning(this.node)) {
      const cancelling = this._host.isCancelling(this.node);
      const cancel = element(
        'button',
        `${CLASS}-cancel jp-mod-styled`,
        cancelling ? this._words.__('Cancelling…') : this._words.__('Cancel')
      ) as HTMLButtonElement;
      cancel.type = 'button';
      cancel.disabled = cancelling;
      cancel.title = this._words.__(
        "Interrupt the kernel: this cell's Spark jobs are cancelled, other cells' jobs keep running"
      );
      cancel.addEventListener('click', () => {
        cancel.disabled = true;
        cancel.textContent = this._words.__('Cancelling…');
        this._host.cancel(this.node);
      });
      head.appendChild(cancel);
    }
    return head;
  }

  private _stage(
    jobId: number,
    stage: IProgressData['active'][0]['stages'][0]
  ) {
    const row = element('div', `${CLASS}-stage`);
    const label = element(
      'span',
      `${CLASS}-label`,
      this._words.__('Job %1 · stage %2', jobId, stage.id)
    );
    label.title = stage.name;
    const bar = element('div', `${CLASS}-bar`);
    bar.setAttribute('role', 'progressbar');
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', String(stage.total));
    bar.setAttribute('aria-valuenow', String(stage.done));
    bar.setAttribute('aria-label', stage.name);
    const fill = element('div', `${CLASS}-fill`);
    fill.style.width = `${(stageFraction(stage) * 100).toFixed(1)}%`;
    bar.appendChild(fill);
    if (stage.failed) {
      row.classList.add(`${CLASS}-mod-failed`);
    }
    row.append(
      label,
      bar,
      element('span', `${CLASS}-tasks`, stageText(stage, this._words))
    );
    return row;
  }

  /** Links to the jobs' pages in the Spark UI (finished and running). */
  private _links(data: IProgressData): HTMLElement | null {
    const ids = [...data.jobs.map(j => j.id), ...data.active.map(j => j.id)];
    if (!data.uiPort || !ids.length || data.state === 'running') {
      return null;
    }
    const row = element('div', `${CLASS}-jobs`);
    row.appendChild(element('span', '', this._words.__('Spark UI:')));
    const failed = new Set(
      data.jobs.filter(j => j.status === 'failed').map(j => j.id)
    );
    for (const id of ids.sort((a, b) => a - b)) {
      const link = element(
        'a',
        failed.has(id) ? `${CLASS}-mod-failed` : '',
        this._words.__('job %1', id)
      ) as HTMLAnchorElement;
      link.href = jobUrl(this._host.baseUrl, data.uiPort, id);
      link.target = '_blank';
      link.rel = 'noopener';
      row.appendChild(link);
    }
    return row;
  }
}

function element(tag: string, className: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}
