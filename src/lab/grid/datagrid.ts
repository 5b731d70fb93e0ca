/**
 * The Lumino DataGrid side of the result grid: the data model over the shown rows, the
 * cell renderers (types in the header, NULL apart, numbers right), sorting on a header
 * click and the theme's colours. Loaded lazily with the grid.
 */
// This module is only loaded by `import('./view')` in plugin.ts: the grid is lazy already.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import {
  BasicMouseHandler,
  CellRenderer,
  DataGrid,
  DataModel,
  RendererMap,
  TextRenderer
} from '@lumino/datagrid';
import {
  cellText,
  exportText,
  isNumeric,
  ISort,
  ITable,
  NULL_TEXT
} from './model';

/** The rows of a table the grid shows, in the order it shows them. */
export class TableDataModel extends DataModel {
  /** A model over `table`, showing every row in its own order. */
  constructor(table: ITable) {
    super();
    this._table = table;
    this._rows = table.rows.map((_, i) => i);
  }

  /** The shown rows, as indices into the table's rows. */
  get rows(): readonly number[] {
    return this._rows;
  }

  /** The current sort, shown by an arrow in the header. */
  get sort(): ISort | null {
    return this._sort;
  }

  /** Shows these rows (filtered and sorted) under this sort. */
  show(rows: number[], sort: ISort | null): void {
    this._rows = rows;
    this._sort = sort;
    this.emitChanged({ type: 'model-reset' });
  }

  rowCount(region: DataModel.RowRegion): number {
    return region === 'body' ? this._rows.length : 2;
  }

  columnCount(region: DataModel.ColumnRegion): number {
    return region === 'body' ? this._table.schema.fields.length : 1;
  }

  data(region: DataModel.CellRegion, row: number, column: number): unknown {
    const fields = this._table.schema.fields;
    switch (region) {
      case 'body':
        return this._table.rows[this._rows[row]]?.[column] ?? null;
      case 'column-header': {
        const field = fields[column];
        if (row === 1) {
          return field.type;
        }
        const arrow =
          this._sort?.column === column
            ? this._sort.direction === 'ascending'
              ? ' ▲'
              : ' ▼'
            : '';
        return field.name + arrow;
      }
      case 'row-header':
        return String(this._rows[row] + 1);
      default:
        return '';
    }
  }

  metadata(
    region: DataModel.CellRegion,
    row: number,
    column: number
  ): DataModel.Metadata {
    if (region === 'body' || region === 'column-header') {
      return { kind: this._table.schema.fields[column].kind, headerRow: row };
    }
    return {};
  }

  private _table: ITable;
  private _rows: number[];
  private _sort: ISort | null = null;
}

/** A mouse handler that sorts on a click inside a column header (its edges still resize). */
export class SortingMouseHandler extends BasicMouseHandler {
  /** `onSort(column)` is called for a click on a header away from its resize edges. */
  constructor(private _onSort: (column: number) => void) {
    super();
  }

  onMouseDown(grid: DataGrid, event: MouseEvent): void {
    const hit = grid.hitTest(event.clientX, event.clientY);
    if (
      hit.region === 'column-header' &&
      event.button === 0 &&
      hit.x > 6 &&
      hit.width - hit.x > 7
    ) {
      event.preventDefault();
      this._onSort(hit.column);
      return;
    }
    super.onMouseDown(grid, event);
  }
}

/** The theme's colours and font, read from JupyterLab's CSS variables. */
export interface IGridTheme {
  background: string;
  altBackground: string;
  header: string;
  text: string;
  muted: string;
  nullText: string;
  grid: string;
  selection: string;
  cursor: string;
  font: string;
  monoFont: string;
}

/** Reads the current theme from the document's CSS variables. */
export function readTheme(): IGridTheme {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) =>
    css.getPropertyValue(name).trim() || fallback;
  const family = v('--jp-ui-font-family', 'sans-serif');
  const mono = v('--jp-code-font-family', 'monospace');
  return {
    background: v('--jp-layout-color0', '#fff'),
    altBackground: v('--jp-layout-color1', '#fafafa'),
    header: v('--jp-layout-color2', '#eee'),
    text: v('--jp-ui-font-color0', '#000'),
    muted: v('--jp-ui-font-color2', '#777'),
    nullText: v('--jp-warn-color1', '#b36b00'),
    grid: v('--jp-border-color2', '#ddd'),
    selection: 'rgba(33, 150, 243, 0.2)',
    cursor: v('--jp-brand-color1', '#1976d2'),
    font: `12px ${family}`,
    monoFont: `12px ${mono}`
  };
}

/** The grid's style for a theme. */
export function gridStyle(theme: IGridTheme): DataGrid.Style {
  return {
    ...DataGrid.defaultStyle,
    voidColor: theme.background,
    backgroundColor: theme.background,
    rowBackgroundColor: i => (i % 2 ? theme.altBackground : theme.background),
    gridLineColor: theme.grid,
    headerBackgroundColor: theme.header,
    headerGridLineColor: theme.grid,
    selectionFillColor: theme.selection,
    selectionBorderColor: theme.cursor,
    cursorBorderColor: theme.cursor,
    headerSelectionFillColor: theme.selection,
    headerSelectionBorderColor: theme.cursor
  };
}

const isNull = (config: CellRenderer.CellConfig) =>
  config.value === null || config.value === undefined;

/** The renderers: body cells by kind (NULL in italics and a colour of its own), typed headers. */
export function gridRenderers(theme: IGridTheme): RendererMap {
  const body = new TextRenderer({
    font: config =>
      isNull(config)
        ? `italic ${theme.font}`
        : isNumeric(config.metadata.kind)
          ? theme.monoFont
          : theme.font,
    textColor: config => (isNull(config) ? theme.nullText : theme.text),
    horizontalAlignment: config =>
      isNumeric(config.metadata.kind) ? 'right' : 'left',
    format: config =>
      isNull(config) ? NULL_TEXT : cellText(config.value, config.metadata.kind)
  });
  const header = new TextRenderer({
    font: config =>
      config.metadata.headerRow === 1
        ? `italic 11px ${theme.font.slice(5)}`
        : `bold ${theme.font}`,
    textColor: config =>
      config.metadata.headerRow === 1 ? theme.muted : theme.text,
    horizontalAlignment: config =>
      isNumeric(config.metadata.kind) ? 'right' : 'left'
  });
  const rowHeader = new TextRenderer({
    font: theme.font,
    textColor: theme.muted,
    horizontalAlignment: 'right'
  });
  return new RendererMap({
    body,
    'column-header': header,
    'row-header': rowHeader,
    'corner-header': rowHeader
  });
}

/** What a copied selection holds: the values as CSV would (NULL empty, nested as JSON). */
export const COPY_CONFIG: DataGrid.CopyConfig = {
  separator: '\t',
  headers: 'none',
  warningThreshold: 1e6,
  format: args =>
    args.region === 'body'
      ? exportText(args.value, args.metadata.kind)
      : String(args.value ?? '')
};
