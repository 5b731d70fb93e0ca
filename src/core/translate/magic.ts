/**
 * Recognising a Databricks-style cell magic on a cell's first line.
 */

/** A cell magic: its name, the rest of its line, and the lines below it. */
export interface ICellMagic {
  /** The magic's name without `%`/`%%`, lower-cased (`sql`). */
  name: string;
  /** Text after the magic on its own line (`SELECT 1` in `%sql SELECT 1`). */
  args: string;
  /** The lines after the magic line. */
  body: string;
}

/**
 * Blank lines, then `%name` or `%%name`, then the rest of that line, then the
 * body kept verbatim (line endings included, so SQL reaches Spark unchanged).
 */
const MAGIC =
  /^(?:[ \t]*\r?\n)*[ \t]*%{1,2}([A-Za-z][\w-]*)(?=[ \t\r\n]|$)([^\n]*)(?:\n([\s\S]*))?$/;

/**
 * The magic a cell starts with, or null. Blank lines before it are allowed, as
 * Databricks allows them; `%sql` and `%%sql` mean the same.
 */
export function parseMagic(source: string): ICellMagic | null {
  const match = MAGIC.exec(source);
  if (!match) {
    return null;
  }
  return {
    name: match[1].toLowerCase(),
    args: match[2].trim(),
    body: match[3] ?? ''
  };
}

/** The SQL of a `%sql` cell: the text after the magic on its line, then the body. */
export function magicText(magic: ICellMagic): string {
  return magic.args ? magic.args + '\n' + magic.body : magic.body;
}
