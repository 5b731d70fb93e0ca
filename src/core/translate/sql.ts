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
    const skipped = skipNonCode(text, i);
    if (skipped !== null) {
      // A quoted literal is code; a comment is not.
      hasCode = hasCode || QUOTES.includes(text[i]);
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === ';') {
      push(i);
      start = i + 1;
    } else if (!/\s/.test(c)) {
      hasCode = true;
    }
    i++;
  }
  push(n);
  return statements;
}

const QUOTES = '\'"`';

/**
 * Index just past the comment or quoted literal starting at `i`, or null when
 * `i` starts neither (so the character is plain SQL).
 */
function skipNonCode(text: string, i: number): number | null {
  const c = text[i];
  const next = text[i + 1];
  if (c === '-' && next === '-') {
    const eol = text.indexOf('\n', i);
    return eol === -1 ? text.length : eol + 1;
  }
  if (c === '/' && next === '*') {
    return skipBlockComment(text, i);
  }
  if (QUOTES.includes(c)) {
    return skipQuoted(text, i, c);
  }
  return null;
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

/** Named parameter markers (`:name`) outside strings and comments, in order, unique. */
export function sqlMarkers(statement: string): string[] {
  const names: string[] = [];
  let i = 0;
  const n = statement.length;
  while (i < n) {
    const skipped = skipNonCode(statement, i);
    if (skipped !== null) {
      i = skipped;
      continue;
    }
    const c = statement[i];
    const next = statement[i + 1];
    if (c === ':' && next === ':') {
      i += 2; // a cast, not a marker
    } else if (
      c === ':' &&
      /[A-Za-z_]/.test(next ?? '') &&
      !/[\w]/.test(statement[i - 1] ?? '')
    ) {
      const m = /^[A-Za-z_]\w*/.exec(statement.slice(i + 1))!;
      if (!names.includes(m[0])) {
        names.push(m[0]);
      }
      i += 1 + m[0].length;
    } else {
      i++;
    }
  }
  return names;
}

/** A Databricks widget statement in SQL, or null for ordinary SQL. */
export interface ISqlWidgetOp {
  op: 'create' | 'remove';
  type?: 'text' | 'dropdown' | 'combobox' | 'multiselect';
  name: string;
  defaultValue?: string;
  /** A query whose first column lists the choices (CHOICES SELECT …). */
  choicesQuery?: string;
}

function unquote(token: string): string {
  const q = token[0];
  if ((q === '"' || q === "'" || q === '`') && token.endsWith(q)) {
    return token.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return token;
}

/** One SQL token for a widget statement: a quoted string or a bare word. */
const TOKEN = /("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|[\w.-]+)/.source;
const REMOVE_WIDGET = new RegExp(`^\\s*REMOVE\\s+WIDGET\\s+${TOKEN}\\s*$`, 'i');
const CREATE_WIDGET = new RegExp(
  `^\\s*CREATE\\s+WIDGET\\s+(TEXT|DROPDOWN|COMBOBOX|MULTISELECT)\\s+${TOKEN}` +
    `(?:\\s+DEFAULT\\s+${TOKEN})?(?:\\s+CHOICES\\s+([\\s\\S]+))?\\s*$`,
  'i'
);

/** Parse `CREATE WIDGET … [DEFAULT …] [CHOICES SELECT …]` and `REMOVE WIDGET name`. */
export function sqlWidgetOp(statement: string): ISqlWidgetOp | null {
  const remove = REMOVE_WIDGET.exec(statement);
  if (remove) {
    return { op: 'remove', name: unquote(remove[1]) };
  }
  const create = CREATE_WIDGET.exec(statement);
  if (!create) {
    return null;
  }
  return {
    op: 'create',
    type: create[1].toLowerCase() as ISqlWidgetOp['type'],
    name: unquote(create[2]),
    defaultValue: create[3] !== undefined ? unquote(create[3]) : '',
    ...(create[4] ? { choicesQuery: create[4].trim() } : {})
  };
}
