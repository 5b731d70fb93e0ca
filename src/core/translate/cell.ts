/**
 * Translating one notebook cell into the Python the kernel runs.
 *
 * The result is pure data so the cell executor, `spark-k8s script` and
 * publishing share it. Cells that are not Spark magics come back unchanged.
 */
import { magicText, parseMagic } from './magic';
import { pyStrList } from './pystr';
import { splitSql } from './sql';

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

/** The magics this version translates. */
export const SPARK_MAGICS: ReadonlySet<string> = new Set(['sql']);

/** Translate a code cell's source into Python for the kernel. */
export function translateCell(
  source: string,
  options: ITranslateOptions = {}
): ITranslation {
  const magic = parseMagic(source);
  if (!magic || !SPARK_MAGICS.has(magic.name)) {
    return { magic: null, code: source, needsSpark: false };
  }
  const rowLimit = positiveInt(options.rowLimit, DEFAULT_ROW_LIMIT);
  const statements = splitSql(magicText(magic));
  return {
    magic: magic.name,
    code: `_sqldf = ${RUNTIME_NAME}.sql_cell(${pyStrList(statements)}, limit=${rowLimit})`,
    needsSpark: true
  };
}

function positiveInt(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isInteger(value) && value > 0
    ? value
    : fallback;
}
