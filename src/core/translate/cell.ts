/**
 * Translating one notebook cell into the Python the kernel runs.
 *
 * The result is pure data so the cell executor, `spark-k8s script` and
 * publishing share it. Cells that are not Spark magics come back unchanged.
 */
import { magicText, parseMagic } from './magic';
import { pyStr, pyStrList } from './pystr';
import { splitSql, sqlMarkers, sqlWidgetOp } from './sql';

/** The name the runtime module is bound to in the kernel's namespace. */
export const RUNTIME_NAME = '_spark_k8s_runtime';

/** Rows a `%sql` result shows unless configured otherwise. */
export const DEFAULT_ROW_LIMIT = 1000;

/** How to translate cells. */
export interface ITranslateOptions {
  /** At most this many rows of a result are displayed. */
  rowLimit?: number;
}

/** A translated cell. */
export interface ITranslation {
  /** The magic that was translated (`sql`), or null for code that runs as is. */
  magic: string | null;
  /** Python for the kernel. */
  code: string;
  /** True when the code needs the Spark session (so it may start one first). */
  needsSpark: boolean;
}

/** Databricks magics translated here; other `%` magics (IPython's) run unchanged. */
export const SPARK_MAGICS: ReadonlySet<string> = new Set([
  'sql',
  'md',
  'md-sandbox',
  'sh',
  'fs',
  'pip',
  'python',
  'scala',
  'r'
]);

/** Languages this runtime cannot run; their cells fail with a clear error. */
const UNSUPPORTED = new Set(['scala', 'r']);

/** A translated `%sql` cell: each statement as a runtime instruction. */
export function sqlItems(sql: string): string {
  const items = splitSql(sql).map(statement => {
    const widget = sqlWidgetOp(statement);
    if (widget?.op === 'remove') {
      return `("remove_widget", ${pyStr(widget.name)})`;
    }
    if (widget) {
      const choices =
        widget.choicesQuery !== undefined ? pyStr(widget.choicesQuery) : 'None';
      return `("create_widget", ${pyStr(widget.type!)}, ${pyStr(widget.name)}, ${pyStr(widget.defaultValue ?? '')}, ${choices})`;
    }
    return `("sql", ${pyStr(statement)}, ${pyStrList(sqlMarkers(statement))})`;
  });
  return '[' + items.join(', ') + ']';
}

/** Names a plain Python cell uses that the Spark session provides. */
const SPARK_NAMES =
  /\b(spark|sc|dbutils|display|displayHTML|getArgument|_sqldf)\b/;

/** Translate a code cell's source into Python for the kernel. */
export function translateCell(
  source: string,
  options: ITranslateOptions = {}
): ITranslation {
  const magic = parseMagic(source);
  if (!magic || !SPARK_MAGICS.has(magic.name)) {
    return { magic: null, code: source, needsSpark: SPARK_NAMES.test(source) };
  }
  const text = magicText(magic);
  const rt = RUNTIME_NAME;
  switch (magic.name) {
    case 'sql': {
      const rowLimit = positiveInt(options.rowLimit, DEFAULT_ROW_LIMIT);
      return {
        magic: 'sql',
        code: `_sqldf = ${rt}.sql_cell(${sqlItems(text)}, limit=${rowLimit})`,
        needsSpark: true
      };
    }
    case 'md':
    case 'md-sandbox':
      return {
        magic: magic.name,
        code: `${rt}.markdown(${pyStr(text)})`,
        needsSpark: false
      };
    case 'sh':
      return {
        magic: 'sh',
        code: `${rt}.sh(${pyStr(text)})`,
        needsSpark: false
      };
    case 'fs':
      return {
        magic: 'fs',
        code: `${rt}.fs_magic(${pyStr(text)})`,
        needsSpark: true
      };
    case 'pip':
      return {
        magic: 'pip',
        code: `${rt}.pip(${pyStr(text)})`,
        needsSpark: false
      };
    case 'python':
      return {
        magic: 'python',
        code: text,
        needsSpark: SPARK_NAMES.test(text)
      };
  }
  if (UNSUPPORTED.has(magic.name)) {
    return {
      magic: magic.name,
      code: `${rt}.unsupported(${pyStr(magic.name)})`,
      needsSpark: false
    };
  }
  return { magic: null, code: source, needsSpark: false };
}

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0
    ? value
    : fallback;
}
