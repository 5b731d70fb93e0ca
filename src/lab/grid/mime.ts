/**
 * The result table's MIME type and shape: all the grid plugin needs before the grid
 * itself loads (kept apart so the initial JavaScript stays small).
 */

/** The MIME type of a result table (written by the runtime's render.py). */
export const TABLE_MIME = 'application/vnd.spark-k8s.table+json';

/** The MIME type JupyterLab's own Vega-Lite renderer draws. */
export const VEGALITE_MIME = 'application/vnd.vegalite.v5+json';

/** How a column's values are shown, sorted and aligned. */
export type ColumnKind =
  | 'number'
  | 'decimal'
  | 'boolean'
  | 'string'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | 'binary'
  | 'array'
  | 'map'
  | 'struct'
  | 'interval'
  | 'variant'
  | 'other';

/** One column: its name, its Spark type (e.g. `decimal(10,2)`) and its kind. */
export interface IField {
  name: string;
  type: string;
  kind: ColumnKind;
  nullable?: boolean;
}

/** A result table as the runtime publishes it. */
export interface ITable {
  version: number;
  schema: { fields: IField[] };
  rows: unknown[][];
  limit: number;
  more: boolean;
  timeZone?: string | null;
}

/** Whether a published value is a well-formed result table. */
export function isTable(value: unknown): value is ITable {
  const t = value as ITable;
  return (
    !!t &&
    typeof t === 'object' &&
    !!t.schema &&
    Array.isArray(t.schema.fields) &&
    Array.isArray(t.rows) &&
    t.rows.every(r => Array.isArray(r))
  );
}
