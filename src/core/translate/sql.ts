/**
 * Splitting a `%sql` cell into statements the way Spark's parser sees them.
 *
 * A `;` ends a statement only outside string literals ('…', "…" with
 * backslash escapes and doubled quotes), back-quoted identifiers, `--` line
 * comments and (nested) bracketed comments. Statements that hold nothing but
 * whitespace and comments are dropped, so a trailing `;` or comment adds none.
 */

/** The statements of a SQL text, in order, each without its `;`. */
export function splitSql(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const n = text.length;
  const push = (end: number) => {
    if (hasCode) {
      statements.push(text.slice(start, end).trim());
    }
    hasCode = false;
  };
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(text, i);
      continue;
    }
    if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(text, i, c);
      hasCode = true;
      continue;
    }
    if (c === ';') {
      push(i);
      start = i + 1;
      i++;
      continue;
    }
    if (!/\s/.test(c)) {
      hasCode = true;
    }
    i++;
  }
  push(n);
  return statements;
}

/** Index just past a quoted literal starting at `i`; an unclosed one runs to the end. */
function skipQuoted(text: string, i: number, quote: string): number {
  const n = text.length;
  let j = i + 1;
  while (j < n) {
    const c = text[j];
    if (c === '\\' && quote !== '`') {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (text[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}

/** Index just past a bracketed comment at `i`, honouring nesting as Spark does. */
function skipBlockComment(text: string, i: number): number {
  const n = text.length;
  let depth = 0;
  let j = i;
  while (j < n) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth++;
      j += 2;
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth--;
      j += 2;
      if (depth === 0) {
        return j;
      }
    } else {
      j++;
    }
  }
  return n;
}
