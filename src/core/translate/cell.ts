/**
 * Translating one notebook cell into the Python the kernel runs.
 *
 * The result is pure data so the cell executor, `spark-k8s script` and
 * publishing share it. Cells that are not Spark magics come back unchanged.
 */
import {
  DEFAULTS,
  SqlItem,
  sqlCell,
  textMagicCell,
  unsupportedCell
} from '../kernel';
import { magicText, parseMagic } from './magic';
import { usesNames } from './python';
import { splitSql, sqlMarkers, sqlWidgetOp } from './sql';

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
  /**
   * Python to run (silently) before the cell: the notebooks of its `%run`
   * and literal `dbutils.notebook.run` closure, translated and registered.
   */
  prelude?: string;
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

/** Languages a Python kernel cannot run: a clear message (in a job, a failure). */
const UNSUPPORTED = new Set(['scala', 'r']);

/** A `%sql` cell's statements as runtime instructions. */
export function sqlItems(sql: string): SqlItem[] {
  return splitSql(sql).map((statement): SqlItem => {
    const widget = sqlWidgetOp(statement);
    if (widget?.op === 'remove') {
      return { kind: 'remove_widget', name: widget.name };
    }
    if (widget) {
      return {
        kind: 'create_widget',
        type: widget.type!,
        name: widget.name,
        defaultValue: widget.defaultValue ?? '',
        choicesQuery: widget.choicesQuery
      };
    }
    return { kind: 'sql', statement, markers: sqlMarkers(statement) };
  });
}

/** Names a plain Python cell uses that the Spark session provides. */
export const SPARK_NAMES: ReadonlySet<string> = new Set([
  'spark',
  'sc',
  'dbutils',
  'display',
  'displayHTML',
  'getArgument',
  '_sqldf'
]);

/**
 * True when plain Python reads a name the session provides, as code: not in a
 * comment or string, not an attribute, not a name the cell imports or assigns.
 */
export function needsSession(source: string): boolean {
  return usesNames(source, SPARK_NAMES);
}

/** Translate a code cell's source into Python for the kernel. */
export function translateCell(
  source: string,
  options: ITranslateOptions = {}
): ITranslation {
  const magic = parseMagic(source);
  if (!magic || !SPARK_MAGICS.has(magic.name)) {
    return { magic: null, code: source, needsSpark: needsSession(source) };
  }
  const text = magicText(magic);
  switch (magic.name) {
    case 'sql': {
      const rowLimit = positiveInt(options.rowLimit, DEFAULTS.rowLimit);
      return {
        magic: 'sql',
        code: sqlCell(sqlItems(text), rowLimit),
        needsSpark: true
      };
    }
    case 'md':
    case 'md-sandbox':
      return {
        magic: magic.name,
        code: textMagicCell('markdown', text),
        needsSpark: false
      };
    case 'sh':
      return {
        magic: 'sh',
        code: textMagicCell('sh', text),
        needsSpark: false
      };
    case 'fs':
      return {
        magic: 'fs',
        code: textMagicCell('fs_magic', text),
        needsSpark: true
      };
    case 'pip':
      return {
        magic: 'pip',
        code: textMagicCell('pip', text),
        needsSpark: false
      };
    case 'python':
      return {
        magic: 'python',
        code: text,
        needsSpark: needsSession(text)
      };
  }
  if (UNSUPPORTED.has(magic.name)) {
    return {
      magic: magic.name,
      code: unsupportedCell(magic.name),
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
