/**
 * The chart tab of a result: type, x, y, group and aggregation pickers, drawn by
 * JupyterLab's own Vega-Lite renderer, and "Save to notebook". Loaded lazily with the grid.
 */
import { IRenderMime, MimeModel } from '@jupyterlab/rendermime';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import {
  Aggregate,
  CHART_MARKS,
  chartSpec,
  ChartType,
  defaultChart,
  IChartOptions,
  ITable,
  VEGALITE_MIME
} from './model';

/** What a chart needs from the lab. */
export interface IChartHost {
  /** Makes a renderer for a MIME type, or null when the lab has none for it. */
  createRenderer(mimeType: string): IRenderMime.IRenderer | null;
  /** Adds an output to the notebook cell around `node`; false when it is in no cell. */
  saveOutput(node: HTMLElement, output: Record<string, unknown>): boolean;
}

/** Width of a saved chart: a fixed size renders the same in every viewer. */
const SAVED_WIDTH = 560;

/** The chart tab: pickers, the drawn chart and the save button. */
export class ChartPane extends Widget {
  /** A chart of `rows()` (the grid's shown rows) of `table`. */
  constructor(
    private _table: ITable,
    private _rows: () => readonly number[],
    private _host: IChartHost,
    private _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-SparkK8s-chart');
    this._options = defaultChart(_table);
    const trans = _trans;
    const controls = document.createElement('div');
    controls.className = 'jp-SparkK8s-chartControls';
    const names = this._table.schema.fields.map(f => f.name);
    const types: Record<ChartType, string> = {
      bar: trans.__('Bar'),
      line: trans.__('Line'),
      area: trans.__('Area'),
      scatter: trans.__('Scatter'),
      pie: trans.__('Pie')
    };
    const aggregates: Record<Aggregate, string> = {
      none: trans.__('None'),
      count: trans.__('Count'),
      sum: trans.__('Sum'),
      mean: trans.__('Mean'),
      min: trans.__('Min'),
      max: trans.__('Max')
    };
    const none = trans.__('(none)');
    controls.append(
      this._picker(
        trans.__('Chart type'),
        Object.keys(CHART_MARKS).map(k => [k, types[k as ChartType]]),
        this._options.type,
        v => (this._options.type = v as ChartType)
      ),
      this._picker(
        trans.__('X'),
        names.map(n => [n, n]),
        this._options.x,
        v => (this._options.x = v)
      ),
      this._picker(
        trans.__('Y'),
        [['', none], ...names.map(n => [n, n] as [string, string])],
        this._options.y ?? '',
        v => (this._options.y = v || null)
      ),
      this._picker(
        trans.__('Group'),
        [['', none], ...names.map(n => [n, n] as [string, string])],
        this._options.group ?? '',
        v => (this._options.group = v || null)
      ),
      this._picker(
        trans.__('Aggregation'),
        Object.keys(aggregates).map(k => [k, aggregates[k as Aggregate]]),
        this._options.aggregate,
        v => (this._options.aggregate = v as Aggregate)
      )
    );
    const save = document.createElement('button');
    save.className = 'jp-mod-styled jp-mod-accept jp-SparkK8s-chartSave';
    save.textContent = trans.__('Save to notebook');
    save.title = trans.__(
      'Add this chart below the result as a Vega-Lite output, which any Jupyter viewer renders'
    );
    save.addEventListener('click', () => this._save());
    controls.append(save);
    this._message = document.createElement('div');
    this._message.className = 'jp-SparkK8s-chartMessage';
    this._message.setAttribute('role', 'status');
    this._canvas = document.createElement('div');
    this._canvas.className = 'jp-SparkK8s-chartCanvas';
    this.node.append(controls, this._message, this._canvas);
    // JupyterLab's Vega renderer picks its light or dark theme when it draws.
    this._themeObserver = new MutationObserver(() => {
      // After the new theme's styles are laid out, so the pane has its width again.
      window.setTimeout(() => {
        if (this.isAttached && !this.isHidden) {
          void this.draw();
        }
      }, 250);
    });
    this._themeObserver.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light']
    });
  }

  /** Draws the chart of the current picks and rows. */
  async draw(): Promise<void> {
    const renderer = this._host.createRenderer(VEGALITE_MIME);
    this._renderer?.dispose();
    this._renderer = null;
    if (!renderer) {
      this._message.textContent = this._trans.__(
        "JupyterLab's Vega-Lite renderer is not available: enable @jupyterlab/vega5-extension to draw charts."
      );
      return;
    }
    this._message.textContent = '';
    this._renderer = renderer;
    Widget.attach(renderer, this._canvas);
    // A width in pixels from the pane (Vega-Lite's "container" width measures a host
    // that has none yet while the renderer is attached).
    const width = Math.max(240, Math.min(900, this.node.clientWidth - 160));
    const spec = chartSpec(this._table, this._rows(), this._options, width);
    await renderer.renderModel(
      new MimeModel({ data: { [VEGALITE_MIME]: spec as any }, trusted: true })
    );
    // Which theme the drawn chart has (the renderer reads it from the page).
    this._canvas.dataset.theme =
      document.body.dataset.jpThemeLight === 'false' ? 'dark' : 'light';
  }

  protected onBeforeDetach(): void {
    this._renderer?.dispose();
    this._renderer = null;
  }

  dispose(): void {
    this._themeObserver.disconnect();
    this._renderer?.dispose();
    this._renderer = null;
    super.dispose();
  }

  private _picker(
    label: string,
    choices: [string, string][],
    value: string,
    set: (value: string) => void
  ): HTMLElement {
    const wrap = document.createElement('label');
    wrap.className = 'jp-SparkK8s-chartPicker';
    const text = document.createElement('span');
    text.textContent = label;
    const select = document.createElement('select');
    select.className = 'jp-mod-styled';
    select.setAttribute('aria-label', label);
    for (const [v, t] of choices) {
      const option = document.createElement('option');
      option.value = v;
      option.textContent = t;
      select.append(option);
    }
    select.value = value;
    select.addEventListener('change', () => {
      set(select.value);
      void this.draw();
    });
    wrap.append(text, select);
    return wrap;
  }

  private _save(): void {
    const spec = chartSpec(
      this._table,
      this._rows(),
      this._options,
      SAVED_WIDTH
    );
    const { type, x, y, aggregate } = this._options;
    const output = {
      output_type: 'display_data',
      data: {
        [VEGALITE_MIME]: spec,
        'text/plain': `<${type} chart: ${y ? `${aggregate}(${y})` : 'count'} by ${x}>`
      },
      metadata: {}
    };
    this._message.textContent = this._host.saveOutput(this.node, output)
      ? this._trans.__(
          'Chart added below the result; save the notebook to keep it.'
        )
      : this._trans.__(
          'This result is not in a notebook cell, so the chart cannot be saved.'
        );
  }

  private _options: IChartOptions;
  private _message: HTMLElement;
  private _canvas: HTMLElement;
  private _renderer: IRenderMime.IRenderer | null = null;
  private _themeObserver: MutationObserver;
}
