/**
 * The result table a display() or %sql cell publishes, and what the grid does with it:
 * cell text, sorting, per-column filters, CSV, and the Vega-Lite spec of a chart.
 * Pure: no DOM, so it is unit-tested under Node.
 */

import { ColumnKind, ITable } from './mime';

export { isTable, TABLE_MIME, VEGALITE_MIME } from './mime';
export type { ColumnKind, IField, ITable } from './mime';

/** Kinds whose values line up on the right. */
export function isNumeric(kind: ColumnKind): boolean {
  return kind === 'number' || kind === 'decimal';
}

/** Kinds whose values are structures a person can expand. */
export function isNested(kind: ColumnKind): boolean {
  return kind === 'array' || kind === 'map' || kind === 'struct';
}

/** The text a NULL shows as (styled apart from the string "NULL" by the grid). */
export const NULL_TEXT = 'NULL';

function nestedText(value: unknown, kind: ColumnKind | null): string {
  if (value === null || value === undefined) {
    return NULL_TEXT;
  }
  if (kind === 'map' && Array.isArray(value)) {
    return (
      '{' +
      value
        .map(pair =>
          Array.isArray(pair)
            ? `${nestedText(pair[0], null)} → ${nestedText(pair[1], null)}`
            : nestedText(pair, null)
        )
        .join(', ') +
      '}'
    );
  }
  if (Array.isArray(value)) {
    return '[' + value.map(v => nestedText(v, null)).join(', ') + ']';
  }
  if (typeof value === 'object') {
    return (
      '{' +
      Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${k}: ${nestedText(v, null)}`)
        .join(', ') +
      '}'
    );
  }
  return String(value);
}

/** A value as one line of text in its column (NULL as `NULL`; the grid marks it apart). */
export function cellText(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined) {
    return NULL_TEXT;
  }
  switch (kind) {
    case 'binary':
      return '0x' + String(value);
    case 'timestamp':
    case 'timestamp_ntz':
      return String(value).replace('T', ' ');
    case 'array':
    case 'map':
    case 'struct':
      return nestedText(value, kind);
    default:
      return typeof value === 'object'
        ? JSON.stringify(value)
        : String(value).replace(/\r?\n/g, '⏎');
  }
}

/** A value as CSV or clipboard text: like the grid shows it, NULL as an empty field. */
export function exportText(value: unknown, kind: ColumnKind): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (isNested(kind)) {
    return JSON.stringify(value);
  }
  return kind === 'binary' ? '0x' + String(value) : String(value);
}

function numeric(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Compares two non-null values of one column in its own order. */
export function compareValues(
  a: unknown,
  b: unknown,
  kind: ColumnKind
): number {
  if (isNumeric(kind)) {
    const x = numeric(a);
    const y = numeric(b);
    if (Number.isNaN(x) || Number.isNaN(y)) {
      return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    }
    return x - y;
  }
  if (kind === 'boolean') {
    return Number(a) - Number(b);
  }
  if (kind === 'timestamp') {
    const d = Date.parse(String(a)) - Date.parse(String(b));
    if (d) {
      return d;
    }
  }
  const x = typeof a === 'string' ? a : JSON.stringify(a);
  const y = typeof b === 'string' ? b : JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A sort: the column and its direction. */
export interface ISort {
  column: number;
  direction: 'ascending' | 'descending';
}

const COMPARISON = /^\s*(>=|<=|!=|>|<|=)\s*(.+?)\s*$/;

/**
 * Whether a value passes a column's filter. `NULL` matches exactly the NULLs; `>`, `>=`,
 * `<`, `<=`, `=`, `!=` compare a number, decimal, date or timestamp; anything else is
 * found case-insensitively in the value's text (never in a NULL).
 */
export function matches(
  value: unknown,
  kind: ColumnKind,
  filter: string
): boolean {
  const f = filter.trim();
  if (!f) {
    return true;
  }
  if (f === NULL_TEXT) {
    return value === null || value === undefined;
  }
  if (value === null || value === undefined) {
    return false;
  }
  const m = COMPARISON.exec(f);
  if (m && kind !== 'string') {
    const target =
      isNumeric(kind) || kind === 'boolean' ? m[2] : m[2].replace(' ', 'T');
    const c =
      isNumeric(kind) && !Number.isNaN(Number(target))
        ? numeric(value) - Number(target)
        : compareValues(String(value), target, 'string');
    switch (m[1]) {
      case '>':
        return c > 0;
      case '>=':
        return c >= 0;
      case '<':
        return c < 0;
      case '<=':
        return c <= 0;
      case '=':
        return c === 0;
      default:
        return c !== 0;
    }
  }
  return cellText(value, kind).toLowerCase().includes(f.toLowerCase());
}

/** The rows shown, as indices into the table's rows: filtered, then sorted (NULLs last). */
export function viewRows(
  table: ITable,
  filters: readonly string[],
  sort: ISort | null
): number[] {
  const fields = table.schema.fields;
  const active = filters
    .map((f, i) => [i, f] as const)
    .filter(([, f]) => f.trim() !== '');
  const rows: number[] = [];
  table.rows.forEach((row, r) => {
    if (active.every(([i, f]) => matches(row[i], fields[i].kind, f))) {
      rows.push(r);
    }
  });
  if (sort) {
    const kind = fields[sort.column].kind;
    const sign = sort.direction === 'ascending' ? 1 : -1;
    rows.sort((p, q) => {
      const a = table.rows[p][sort.column];
      const b = table.rows[q][sort.column];
      const an = a === null || a === undefined;
      const bn = b === null || b === undefined;
      if (an || bn) {
        return an && bn ? p - q : an ? 1 : -1;
      }
      return sign * compareValues(a, b, kind) || p - q;
    });
  }
  return rows;
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text)
    ? '"' + text.replace(/"/g, '""') + '"'
    : text;
}

/** The given rows as CSV (RFC 4180, a header line, CRLF line ends, NULL as an empty field). */
export function toCsv(table: ITable, rows: readonly number[]): string {
  const fields = table.schema.fields;
  const lines = [fields.map(f => csvField(f.name)).join(',')];
  for (const r of rows) {
    lines.push(
      table.rows[r]
        .map((v, i) => csvField(exportText(v, fields[i].kind)))
        .join(',')
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** The chart types offered, with the Vega-Lite mark each draws. */
export const CHART_MARKS = {
  bar: 'bar',
  line: 'line',
  area: 'area',
  scatter: 'point',
  pie: 'arc'
} as const;

/** A chart type. */
export type ChartType = keyof typeof CHART_MARKS;

/** How the y values of one x (and group) are combined. */
export type Aggregate = 'none' | 'count' | 'sum' | 'mean' | 'min' | 'max';

/** What a person picked in the chart tab. */
export interface IChartOptions {
  type: ChartType;
  x: string;
  y: string | null;
  group: string | null;
  aggregate: Aggregate;
}

/** A Vega-Lite field reference for a column name (dots and brackets are not paths here). */
export function fieldRef(name: string): string {
  return name.replace(/[\\.[\]]/g, c => '\\' + c);
}

function measureType(
  kind: ColumnKind
): 'quantitative' | 'temporal' | 'nominal' {
  if (isNumeric(kind)) {
    return 'quantitative';
  }
  if (kind === 'date' || kind === 'timestamp' || kind === 'timestamp_ntz') {
    return 'temporal';
  }
  return 'nominal';
}

function chartValue(value: unknown, kind: ColumnKind): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (isNumeric(kind)) {
    const n = numeric(value);
    return Number.isFinite(n) ? n : null;
  }
  if (kind === 'boolean' || kind === 'string') {
    return value;
  }
  return cellText(value, kind);
}

/** Default picks for a table: the first non-numeric column as x, the first numeric as y. */
export function defaultChart(table: ITable): IChartOptions {
  const fields = table.schema.fields;
  const y = fields.find(f => isNumeric(f.kind)) ?? null;
  const x = fields.find(f => f !== y) ?? fields[0];
  return {
    type: 'bar',
    x: x?.name ?? '',
    y: y?.name ?? null,
    group: null,
    aggregate: y ? 'sum' : 'count'
  };
}

/** The Vega-Lite v5 spec of a chart of the given rows, with the data inline (self-contained). */
export function chartSpec(
  table: ITable,
  rows: readonly number[],
  options: IChartOptions,
  width: number | 'container' = 'container'
): Record<string, unknown> {
  const fields = table.schema.fields;
  const index = (name: string | null) =>
    name === null ? -1 : fields.findIndex(f => f.name === name);
  const used = [options.x, options.y, options.group]
    .map(index)
    .filter((i, k, all) => i >= 0 && all.indexOf(i) === k);
  const values = rows.map(r => {
    const record: Record<string, unknown> = {};
    for (const i of used) {
      record[fields[i].name] = chartValue(table.rows[r][i], fields[i].kind);
    }
    return record;
  });
  const xField = fields[index(options.x)];
  const yIndex = index(options.y);
  const yField = yIndex >= 0 ? fields[yIndex] : null;
  const aggregate =
    options.aggregate === 'none' && !yField ? 'count' : options.aggregate;
  const y: Record<string, unknown> =
    aggregate === 'count' || !yField
      ? { aggregate: 'count', type: 'quantitative' }
      : {
          field: fieldRef(yField.name),
          type: 'quantitative',
          title:
            aggregate === 'none' ? yField.name : `${aggregate}(${yField.name})`,
          ...(aggregate === 'none' ? {} : { aggregate })
        };
  const groupIndex = index(options.group);
  const color =
    groupIndex >= 0
      ? {
          field: fieldRef(fields[groupIndex].name),
          type: 'nominal',
          title: fields[groupIndex].name
        }
      : null;
  const xType =
    options.type === 'bar' && xField && measureType(xField.kind) !== 'nominal'
      ? 'ordinal'
      : xField && measureType(xField.kind);
  const x = xField
    ? { field: fieldRef(xField.name), type: xType, title: xField.name }
    : null;
  const encoding: Record<string, unknown> =
    options.type === 'pie'
      ? {
          theta: { ...y, stack: true },
          color: x ? { ...x, type: 'nominal' } : undefined
        }
      : { x, y, ...(color ? { color } : {}) };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width,
    height: 260,
    data: { values },
    mark: { type: CHART_MARKS[options.type], tooltip: true },
    encoding: JSON.parse(JSON.stringify(encoding))
  };
}

/** A Spark type (as `simpleString` writes it), parsed far enough to walk a nested value. */
export interface ITypeNode {
  type: string;
  kind: 'array' | 'map' | 'struct' | 'scalar';
  element?: ITypeNode;
  key?: ITypeNode;
  value?: ITypeNode;
  fields?: [string, ITypeNode][];
}

/** Splits at top-level commas (not inside <>, ()). */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<' || c === '(') {
      depth++;
    } else if (c === '>' || c === ')') {
      depth--;
    } else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Parses `array<…>`, `map<…,…>`, `struct<name:type,…>`; anything else is a scalar. */
export function parseType(type: string): ITypeNode {
  const t = type.trim();
  const inner = (prefix: string) =>
    t.startsWith(prefix + '<') && t.endsWith('>')
      ? t.slice(prefix.length + 1, -1)
      : null;
  const array = inner('array');
  if (array !== null) {
    return { type: t, kind: 'array', element: parseType(array) };
  }
  const map = inner('map');
  if (map !== null) {
    const [key, value] = splitTop(map);
    return {
      type: t,
      kind: 'map',
      key: parseType(key ?? ''),
      value: parseType(value ?? '')
    };
  }
  const struct = inner('struct');
  if (struct !== null) {
    const fields = (struct ? splitTop(struct) : []).map(part => {
      // A field name may itself hold ':' only in exotic schemas; the type follows the last
      // top-level ':' before any '<' or '('.
      const bracket = part.search(/[<(]/);
      const head = bracket < 0 ? part : part.slice(0, bracket);
      const colon = head.lastIndexOf(':');
      return [part.slice(0, colon), parseType(part.slice(colon + 1))] as [
        string,
        ITypeNode
      ];
    });
    return { type: t, kind: 'struct', fields };
  }
  return { type: t, kind: 'scalar' };
}
