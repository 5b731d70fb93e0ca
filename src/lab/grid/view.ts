/**
 * The result grid of a display() or %sql output: a fixed-height, scrolling Lumino DataGrid
 * with types in the header, sorting, per-column filters, resizing, copy, CSV download, a
 * details view of the selected value, the row count, and a chart tab. Loaded lazily.
 */
import { TranslationBundle } from '@jupyterlab/translation';
// This module is only loaded by `import('./view')` in plugin.ts: the grid is lazy already.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import {
  BasicKeyHandler,
  BasicSelectionModel,
  DataGrid
} from '@lumino/datagrid';
import { MessageLoop } from '@lumino/messaging';
import '../../../style/grid.css';
import { Panel, Widget } from '@lumino/widgets';
import { ChartPane, IChartHost } from './chart';
import {
  COPY_CONFIG,
  gridRenderers,
  gridStyle,
  readTheme,
  SortingMouseHandler,
  TableDataModel
} from './datagrid';
import {
  cellText,
  IField,
  isNested,
  ISort,
  ITable,
  ITypeNode,
  NULL_TEXT,
  parseType,
  toCsv,
  viewRows
} from './model';

const ROW_HEIGHT = 24;
const HEADER_ROW_HEIGHT = 22;
const MAX_GRID_HEIGHT = 360;
const SCROLLBAR = 18;

/** A table's grid, filters, details and chart. */
export class TableView extends Panel {
  /** The view of one published table. */
  constructor(
    private _table: ITable,
    host: IChartHost,
    private _trans: TranslationBundle
  ) {
    super();
    const trans = _trans;
    this.addClass('jp-SparkK8s-grid');
    this._filters = _table.schema.fields.map(() => '');
    this._model = new TableDataModel(_table);

    const bar = document.createElement('div');
    bar.className = 'jp-SparkK8s-gridBar';
    const tabs = document.createElement('div');
    tabs.setAttribute('role', 'tablist');
    this._tableTab = this._tab(trans.__('Table'), true, () =>
      this._select(false)
    );
    this._chartTab = this._tab(trans.__('Chart'), false, () =>
      this._select(true)
    );
    tabs.append(this._tableTab, this._chartTab);
    this._filterToggle = this._button(trans.__('Filter'), () =>
      this._toggleFilters()
    );
    this._filterToggle.setAttribute('aria-pressed', 'false');
    this._filterToggle.title = trans.__('Show a filter for each column');
    const download = this._button(trans.__('Download CSV'), () =>
      this._download()
    );
    download.title = trans.__('Download the rows shown as a CSV file');
    this._note = document.createElement('span');
    this._note.className = 'jp-SparkK8s-gridNote';
    this._note.setAttribute('role', 'status');
    bar.append(tabs, this._filterToggle, download, this._note);
    this.addWidget(new Widget({ node: bar }));

    this._filterRow = document.createElement('div');
    this._filterRow.className = 'jp-SparkK8s-gridFilters';
    this._filterRow.hidden = true;
    _table.schema.fields.forEach((field, i) => {
      this._filterRow.append(this._filterInput(field, i));
    });
    this.addWidget(new Widget({ node: this._filterRow }));

    const theme = readTheme();
    this._grid = new DataGrid({
      style: gridStyle(theme),
      defaultSizes: {
        rowHeight: ROW_HEIGHT,
        columnWidth: 120,
        rowHeaderWidth: 56,
        columnHeaderHeight: HEADER_ROW_HEIGHT
      },
      cellRenderers: gridRenderers(theme),
      copyConfig: COPY_CONFIG,
      headerVisibility: 'all'
    });
    this._grid.addClass('jp-SparkK8s-gridCanvas');
    this._grid.node.setAttribute('role', 'grid');
    this._grid.node.setAttribute('aria-label', trans.__('Result grid'));
    // Keys typed in the grid (Ctrl+C, arrows) are the grid's, not the notebook's shortcuts.
    this._grid.node.setAttribute('data-lm-suppress-shortcuts', 'true');
    this._grid.node.tabIndex = 0;
    this._grid.dataModel = this._model;
    this._grid.keyHandler = new BasicKeyHandler();
    this._grid.mouseHandler = new SortingMouseHandler(c => this._sortBy(c));
    const selection = new BasicSelectionModel({
      dataModel: this._model,
      selectionMode: 'cell'
    });
    selection.changed.connect(() => this._showDetails());
    this._grid.selectionModel = selection;
    const rows = _table.rows.length;
    const height = Math.min(
      MAX_GRID_HEIGHT,
      2 * HEADER_ROW_HEIGHT + Math.max(rows, 1) * ROW_HEIGHT + SCROLLBAR
    );
    this._grid.node.style.height = `${height}px`;
    this._fitColumns();
    this.addWidget(this._grid);

    this._details = document.createElement('div');
    this._details.className = 'jp-SparkK8s-gridDetails';
    this._details.hidden = true;
    this._details.setAttribute('aria-label', trans.__('Value details'));
    this.addWidget(new Widget({ node: this._details }));

    this._chart = new ChartPane(_table, () => this._model.rows, host, trans);
    this._chart.hide();
    this.addWidget(this._chart);

    this._resizeObserver = new ResizeObserver(() => {
      if (this._grid.isAttached) {
        MessageLoop.sendMessage(this._grid, Widget.ResizeMessage.UnknownSize);
      }
    });
    this._resizeObserver.observe(this._grid.node);
    this._themeObserver = new MutationObserver(() => this._applyTheme());
    this._themeObserver.observe(document.body, {
      attributes: true,
      attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name']
    });
    this._updateNote();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._resizeObserver.disconnect();
    this._themeObserver.disconnect();
    super.dispose();
  }

  private _tab(label: string, selected: boolean, onClick: () => void) {
    const tab = this._button(label, onClick);
    tab.setAttribute('role', 'tab');
    tab.setAttribute('aria-selected', String(selected));
    return tab;
  }

  private _button(label: string, onClick: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.className = 'jp-mod-styled jp-SparkK8s-gridButton';
    button.textContent = label;
    button.addEventListener('click', onClick);
    return button;
  }

  private _filterInput(field: IField, index: number): HTMLElement {
    const wrap = document.createElement('label');
    wrap.className = 'jp-SparkK8s-gridFilter';
    const name = document.createElement('span');
    name.textContent = field.name;
    const input = document.createElement('input');
    input.className = 'jp-mod-styled';
    input.setAttribute('aria-label', this._trans.__('Filter %1', field.name));
    input.placeholder = this._trans.__('contains…, > 5, NULL');
    input.title = this._trans.__(
      'Text the value contains (any case); > >= < <= = != a number, date or time; NULL for missing values'
    );
    input.addEventListener('input', () => {
      this._filters[index] = input.value;
      this._refresh();
    });
    wrap.append(name, input);
    return wrap;
  }

  private _select(chart: boolean): void {
    this._tableTab.setAttribute('aria-selected', String(!chart));
    this._chartTab.setAttribute('aria-selected', String(chart));
    for (const w of [this._grid]) {
      w.setHidden(chart);
    }
    this._details.hidden = chart || !this._details.hasChildNodes();
    this._filterRow.hidden = chart || !this._filtersShown;
    this._chart.setHidden(!chart);
    if (chart) {
      void this._chart.draw();
    }
  }

  private _toggleFilters(): void {
    this._filtersShown = !this._filtersShown;
    this._filterToggle.setAttribute('aria-pressed', String(this._filtersShown));
    this._filterRow.hidden = !this._filtersShown;
  }

  private _sortBy(column: number): void {
    const current = this._model.sort;
    const sort: ISort | null =
      current?.column !== column
        ? { column, direction: 'ascending' }
        : current.direction === 'ascending'
          ? { column, direction: 'descending' }
          : null;
    this._sort = sort;
    this._refresh();
  }

  private _refresh(): void {
    this._grid.selectionModel?.clear();
    this._model.show(
      viewRows(this._table, this._filters, this._sort),
      this._sort
    );
    // A new order or filter starts at the top, where its first rows are.
    this._grid.scrollTo(0, 0);
    this._updateNote();
    if (this._chart.isVisible) {
      void this._chart.draw();
    }
  }

  private _updateNote(): void {
    const trans = this._trans;
    const total = this._table.rows.length;
    const shown = this._model.rows.length;
    // %1 is the count as gettext picks the plural form by it; %2 the same count formatted.
    const count = total.toLocaleString();
    let note: string = this._table.more
      ? trans._n(
          '%2 row shown, more exist',
          '%2 rows shown, more exist',
          total,
          count
        )
      : trans._n('%2 row', '%2 rows', total, count);
    if (shown !== total) {
      note += ' · ' + trans.__('%1 match the filters', shown.toLocaleString());
    }
    this._note.textContent = note;
  }

  private _fitColumns(): void {
    const fields = this._table.schema.fields;
    const sample = this._table.rows.slice(0, 200);
    fields.forEach((field, c) => {
      let chars = Math.max(
        field.name.length + 2,
        Math.min(field.type.length, 24)
      );
      for (const row of sample) {
        chars = Math.max(chars, cellText(row[c], field.kind).length);
      }
      const width = Math.max(64, Math.min(360, Math.ceil(chars * 7.4 + 20)));
      this._grid.resizeColumn('body', c, width);
    });
  }

  private _applyTheme(): void {
    const theme = readTheme();
    this._grid.style = gridStyle(theme);
    this._grid.cellRenderers = gridRenderers(theme);
  }

  private _showDetails(): void {
    const selection = this._grid.selectionModel;
    const row = selection?.cursorRow ?? -1;
    const column = selection?.cursorColumn ?? -1;
    this._details.replaceChildren();
    const fields = this._table.schema.fields;
    if (row < 0 || column < 0 || row >= this._model.rows.length) {
      this._details.hidden = true;
      return;
    }
    const field = fields[column];
    const value = this._table.rows[this._model.rows[row]][column];
    const title = document.createElement('div');
    title.className = 'jp-SparkK8s-gridDetailsTitle';
    title.textContent = `${field.name}: ${field.type}`;
    this._details.append(title, valueTree(value, field, this._trans));
    this._details.hidden = false;
  }

  private _grid: DataGrid;
  private _model: TableDataModel;
  private _filters: string[];
  private _filtersShown = false;
  private _sort: ISort | null = null;
  private _note: HTMLElement;
  private _filterRow: HTMLElement;
  private _filterToggle: HTMLButtonElement;
  private _tableTab: HTMLButtonElement;
  private _chartTab: HTMLButtonElement;
  private _details: HTMLElement;
  private _chart: ChartPane;
  private _resizeObserver: ResizeObserver;
  private _themeObserver: MutationObserver;

  private _download(): void {
    const csv = toCsv(this._table, this._model.rows);
    const url = URL.createObjectURL(
      new Blob([csv], { type: 'text/csv;charset=utf-8' })
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = 'result.csv';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
}

/** A value as an expandable tree (structs, maps, arrays), built from text nodes only. */
function valueTree(
  value: unknown,
  field: IField,
  trans: TranslationBundle
): HTMLElement {
  if (!isNested(field.kind)) {
    const leaf = document.createElement('pre');
    leaf.className = 'jp-SparkK8s-gridValue';
    if (value === null || value === undefined) {
      leaf.classList.add('jp-mod-null');
      leaf.textContent = NULL_TEXT;
    } else {
      leaf.textContent =
        field.kind === 'binary' ? '0x' + String(value) : String(value);
    }
    return leaf;
  }
  return node(value, parseType(field.type), trans);
}

function leafText(value: unknown, type: ITypeNode): string {
  if (type.type === 'binary') {
    return '0x' + String(value);
  }
  return typeof value === 'string' && /^(string|char|varchar)/.test(type.type)
    ? JSON.stringify(value)
    : String(value);
}

function node(
  value: unknown,
  type: ITypeNode,
  trans: TranslationBundle
): HTMLElement {
  if (value === null || value === undefined) {
    const leaf = document.createElement('span');
    leaf.className = 'jp-SparkK8s-gridValue jp-mod-null';
    leaf.textContent = NULL_TEXT;
    return leaf;
  }
  if (type.kind === 'scalar' || typeof value !== 'object') {
    const leaf = document.createElement('span');
    leaf.className = 'jp-SparkK8s-gridValue';
    leaf.textContent =
      typeof value === 'object' ? JSON.stringify(value) : leafText(value, type);
    return leaf;
  }
  const scalar: ITypeNode = { type: '', kind: 'scalar' };
  let entries: [string, unknown, ITypeNode][];
  let summaryText: string;
  if (type.kind === 'map' && Array.isArray(value)) {
    entries = value.map(pair => [
      leafText(pair?.[0], type.key ?? scalar) + ' →',
      pair?.[1],
      type.value ?? scalar
    ]);
    summaryText = trans._n(
      'map of %1 entry',
      'map of %1 entries',
      entries.length
    );
  } else if (Array.isArray(value)) {
    entries = value.map((v, i) => [`${i}:`, v, type.element ?? scalar]);
    summaryText = trans._n(
      'array of %1 element',
      'array of %1 elements',
      entries.length
    );
  } else {
    const types = new Map(type.fields ?? []);
    entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      `${k}:`,
      v,
      types.get(k) ?? scalar
    ]);
    summaryText = trans.__('struct');
  }
  const details = document.createElement('details');
  details.open = true;
  const summary = document.createElement('summary');
  summary.textContent = summaryText;
  const list = document.createElement('ul');
  for (const [key, v, t] of entries) {
    const item = document.createElement('li');
    const k = document.createElement('span');
    k.className = 'jp-SparkK8s-gridKey';
    k.textContent = key;
    item.append(k, ' ', node(v, t, trans));
    list.append(item);
  }
  details.append(summary, list);
  return details;
}
