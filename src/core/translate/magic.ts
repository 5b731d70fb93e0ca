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

const MAGIC_LINE = /^%{1,2}([A-Za-z][\w-]*)(?:[ \t]+(.*))?$/;

/**
 * The magic a cell starts with, or null. Blank lines before it are allowed, as
 * Databricks allows them; `%sql` and `%%sql` mean the same.
 */
export function parseMagic(source: string): ICellMagic | null {
  const lines = source.split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') {
    first++;
  }
  if (first === lines.length) {
    return null;
  }
  const match = MAGIC_LINE.exec(lines[first].trim());
  if (!match) {
    return null;
  }
  return {
    name: match[1].toLowerCase(),
    args: (match[2] ?? '').trim(),
    body: lines.slice(first + 1).join('\n')
  };
}

/** The SQL of a `%sql` cell: the text after the magic on its line, then the body. */
export function magicText(magic: ICellMagic): string {
  return magic.args ? magic.args + '\n' + magic.body : magic.body;
}
