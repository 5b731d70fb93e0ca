/**
 * Which names a plain Python cell really uses: a small tokenizer that knows
 * comments, every string form (prefixes, triple quotes, f-string replacement
 * fields) and IPython's `!` and `%` lines, and a pass that tells uses from
 * bindings (imports, assignments, definitions, keyword arguments, attributes).
 *
 * It decides whether a cell starts the Spark session first, so it errs on the
 * side of "not used": `# spark`, `"spark"` and `from IPython.display import
 * display` start nothing.
 */

/** A token of the code (strings and comments are dropped; f-string fields kept). */
interface IToken {
  kind: 'name' | 'op' | 'newline';
  value: string;
}

const STRING_PREFIX =
  /^(?:[rRuUbBfFtT]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF]|[tT][rR]|[rR][tT])$/;
const NAME_START = /[A-Za-z_\u00C0-\uFFFF]/;
const NAME_PART = /[A-Za-z0-9_\u00C0-\uFFFF]/;

/** Cell magics whose body is Python. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun']);
/** Line magics whose argument is Python. */
const PYTHON_LINE_MAGICS = new Set(['time', 'timeit', 'prun']);

/** Statement keywords that take a block after a `:` on the same line. */
const COMPOUND = new Set([
  'if',
  'elif',
  'else',
  'for',
  'while',
  'with',
  'try',
  'except',
  'finally',
  'def',
  'class',
  'async',
  'match',
  'case'
]);

class Scanner {
  constructor(private readonly src: string) {}

  readonly tokens: IToken[] = [];

  /** Scan the whole source as code. */
  scanAll(): void {
    this.lineStart();
    this.code(false);
  }

  private pos = 0;
  private depth = 0;

  private emit(kind: IToken['kind'], value: string): void {
    this.tokens.push({ kind, value });
  }

  /** At the start of a physical line outside brackets: skip IPython `!` and non-Python `%` lines. */
  private lineStart(): void {
    const src = this.src;
    let p = this.pos;
    while (p < src.length && (src[p] === ' ' || src[p] === '\t')) {
      p++;
    }
    if (src[p] === '!' && src[p + 1] !== '=') {
      this.pos = this.endOfLine(p);
      return;
    }
    if (src[p] === '%') {
      const m = /^(%{1,2})([A-Za-z_][\w-]*)/.exec(src.slice(p));
      const name = m?.[2].toLowerCase() ?? '';
      if (m && m[1] === '%%') {
        // A cell magic: its body is Python only for the timing/capture ones.
        this.pos = PYTHON_CELL_MAGICS.has(name)
          ? this.endOfLine(p)
          : src.length;
        return;
      }
      this.pos = PYTHON_LINE_MAGICS.has(name)
        ? p + (m ? m[0].length : 1)
        : this.endOfLine(p);
    }
  }

  private endOfLine(p: number): number {
    const nl = this.src.indexOf('\n', p);
    return nl < 0 ? this.src.length : nl;
  }

  /**
   * Scan code. With `inField`, stop (without consuming) at the `}`, `!` or
   * `:` that ends an f-string replacement field's expression.
   */
  private code(inField: boolean): void {
    const src = this.src;
    const base = this.depth;
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (inField && this.depth === base) {
        if (
          c === '}' ||
          c === ':' ||
          (c === '!' && src[this.pos + 1] !== '=')
        ) {
          return;
        }
      }
      if (c === '#') {
        this.pos = this.endOfLine(this.pos);
      } else if (c === '\\' && src[this.pos + 1] === '\n') {
        this.pos += 2;
      } else if (c === '\n') {
        this.pos++;
        if (this.depth === 0 && !inField) {
          this.emit('newline', '\n');
          this.lineStart();
        }
      } else if (c === '"' || c === "'") {
        this.string('');
      } else if (NAME_START.test(c)) {
        let end = this.pos + 1;
        while (end < src.length && NAME_PART.test(src[end])) {
          end++;
        }
        const word = src.slice(this.pos, end);
        if (
          STRING_PREFIX.test(word) &&
          (src[end] === '"' || src[end] === "'")
        ) {
          this.pos = end;
          this.string(word.toLowerCase());
        } else {
          this.emit('name', word);
          this.pos = end;
        }
      } else if (/[0-9]/.test(c)) {
        // Numbers (1e5, 0x1f, 1_000j) are never names.
        let end = this.pos + 1;
        while (end < src.length && /[\w.]/.test(src[end])) {
          end++;
        }
        this.pos = end;
      } else if (c === '(' || c === '[' || c === '{') {
        this.depth++;
        this.emit('op', c);
        this.pos++;
      } else if (c === ')' || c === ']' || c === '}') {
        this.depth = Math.max(0, this.depth - 1);
        this.emit('op', c);
        this.pos++;
      } else if (/\s/.test(c)) {
        this.pos++;
      } else {
        // Two-character operators that contain `=` must not read as `=`.
        const two = src.slice(this.pos, this.pos + 2);
        if (
          /^(?:==|!=|<=|>=|:=|\+=|-=|\*=|\/=|%=|&=|\|=|\^=|@=|->)$/.test(two)
        ) {
          this.emit('op', two);
          this.pos += 2;
        } else {
          this.emit('op', c);
          this.pos++;
        }
      }
    }
  }

  /** A string literal at `pos` (after its prefix); f-string fields are scanned as code. */
  private string(prefix: string): void {
    const src = this.src;
    const quote = src[this.pos];
    const triple = src.startsWith(quote.repeat(3), this.pos);
    const close = triple ? quote.repeat(3) : quote;
    const formatted = prefix.includes('f') || prefix.includes('t');
    this.pos += close.length;
    while (this.pos < src.length) {
      const c = src[this.pos];
      if (c === '\\') {
        this.pos += 2;
      } else if (src.startsWith(close, this.pos)) {
        this.pos += close.length;
        return;
      } else if (c === '\n' && !triple) {
        // Unterminated: Python rejects it; stop at the line's end.
        return;
      } else if (formatted && c === '{') {
        if (src[this.pos + 1] === '{') {
          this.pos += 2;
        } else {
          this.pos++;
          this.field();
        }
      } else {
        this.pos++;
      }
    }
  }

  /** An f-string replacement field after its `{`: expression, conversion, format spec, `}`. */
  private field(): void {
    const src = this.src;
    this.emit('op', '(');
    this.depth++;
    const depth = this.depth;
    this.code(true);
    this.depth = depth - 1;
    this.emit('op', ')');
    if (src[this.pos] === '!') {
      this.pos += 2;
    }
    if (src[this.pos] === ':') {
      this.pos++;
      // The format spec is text that may hold nested fields.
      while (this.pos < src.length && src[this.pos] !== '}') {
        if (src[this.pos] === '{') {
          this.pos++;
          this.field();
        } else {
          this.pos++;
        }
      }
    }
    if (src[this.pos] === '}') {
      this.pos++;
    }
  }
}

/** The tokens of Python source (exported for tests). */
export function pythonTokens(source: string): string[] {
  const scanner = new Scanner(source);
  scanner.scanAll();
  return scanner.tokens.map(t => (t.kind === 'newline' ? '\\n' : t.value));
}

/**
 * The names a cell reads without defining them first: free names in use, not
 * attributes (`IPython.display`), keyword arguments (`f(display=1)`), or names
 * the cell itself imports, assigns or defines before using them.
 */
export function freeNames(source: string): Set<string> {
  const scanner = new Scanner(source);
  scanner.scanAll();
  const tokens = scanner.tokens;
  const used = new Set<string>();
  const bound = new Set<string>();
  let statement: IToken[] = [];
  const flush = () => {
    useOf(statement, used, bound);
    statement = [];
  };
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === 'newline') {
      flush();
      continue;
    }
    if (token.kind === 'op') {
      if ('([{'.includes(token.value)) {
        depth++;
      } else if (')]}'.includes(token.value)) {
        depth = Math.max(0, depth - 1);
      } else if (token.value === ';' && depth === 0) {
        flush();
        continue;
      } else if (
        token.value === ':' &&
        depth === 0 &&
        statement.length > 0 &&
        statement[0].kind === 'name' &&
        COMPOUND.has(statement[0].value) &&
        !statement.some(t => t.kind === 'name' && t.value === 'lambda')
      ) {
        // `if x: spark.stop()`: the header, then a statement of its own.
        statement.push(token);
        flush();
        continue;
      }
    }
    statement.push(token);
  }
  flush();
  return used;
}

/** Record one logical statement's uses, then its bindings. */
function useOf(tokens: IToken[], used: Set<string>, bound: Set<string>): void {
  if (tokens.length === 0) {
    return;
  }
  const first = tokens[0];
  const binds = new Set<string>();
  const local = new Set<string>();
  const skip = new Set<number>();
  const isName = (i: number, value?: string) =>
    tokens[i]?.kind === 'name' &&
    (value === undefined || tokens[i].value === value);
  const isOp = (i: number, value: string) =>
    tokens[i]?.kind === 'op' && tokens[i].value === value;

  if (isName(0, 'import') || isName(0, 'from')) {
    // import a.b as c, d  /  from m import x as y, (z)
    const start = isName(0, 'from')
      ? tokens.findIndex(t => t.kind === 'name' && t.value === 'import') + 1
      : 1;
    if (start > 0) {
      let expectName = true;
      for (let i = start; i < tokens.length; i++) {
        if (isOp(i, ',')) {
          expectName = true;
        } else if (isName(i, 'as') && isName(i + 1)) {
          binds.add(tokens[i + 1].value);
          i++;
        } else if (isName(i) && expectName) {
          // `import a.b` binds `a`; a following `as` replaces it.
          if (!isName(i + 1, 'as') && !(isOp(i + 1, '.') && hasAs(tokens, i))) {
            binds.add(tokens[i].value);
          }
          expectName = false;
        }
      }
    }
    addAll(bound, binds);
    return;
  }
  if (isName(0, 'global') || isName(0, 'nonlocal') || isName(0, 'del')) {
    return;
  }
  if ((isName(0, 'def') || isName(0, 'class')) && isName(1)) {
    binds.add(tokens[1].value);
    skip.add(1);
    if (isName(0, 'def')) {
      paramNames(tokens, 2, binds, skip);
    }
  }
  // Targets: `a = …`, `a, b = …`, `a: T = …`, `a += …`, `for a, b in …`, `… as a`, `a := …`.
  if (first.kind === 'name' && !COMPOUND.has(first.value)) {
    let i = 0;
    const targets: number[] = [];
    while (isName(i)) {
      targets.push(i);
      if (isOp(i + 1, ',')) {
        i += 2;
      } else {
        break;
      }
    }
    const after = targets.length ? targets[targets.length - 1] + 1 : -1;
    if (after > 0 && (isOp(after, '=') || isOp(after, ':'))) {
      for (const t of targets) {
        binds.add(tokens[t].value);
        skip.add(t);
      }
    }
  }
  if (isName(0, 'for') || (isName(0, 'async') && isName(1, 'for'))) {
    for (let i = isName(0, 'for') ? 1 : 2; i < tokens.length; i++) {
      if (isName(i, 'in')) {
        break;
      }
      if (isName(i)) {
        binds.add(tokens[i].value);
        skip.add(i);
      }
    }
  }
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'op') {
      if ('([{'.includes(t.value)) {
        depth++;
      } else if (')]}'.includes(t.value)) {
        depth = Math.max(0, depth - 1);
      }
      continue;
    }
    if (skip.has(i)) {
      continue;
    }
    if (t.value === 'lambda') {
      // Its parameters hold for the rest of the statement (its body, at most).
      paramNames(tokens, i + 1, local, skip, ':');
      continue;
    }
    if (isOp(i - 1, '.')) {
      continue; // an attribute: IPython.display, df.display
    }
    if (isName(i - 1, 'as')) {
      binds.add(t.value);
      continue;
    }
    if (isOp(i + 1, ':=')) {
      binds.add(t.value);
      continue;
    }
    if (
      depth > 0 &&
      isOp(i + 1, '=') &&
      (isOp(i - 1, '(') || isOp(i - 1, ','))
    ) {
      continue; // a keyword argument: f(display=True)
    }
    // A comprehension's own variable (`[sc for sc in xs]`) reads as a use: rare, and harmless.
    if (!bound.has(t.value) && !local.has(t.value)) {
      used.add(t.value);
    }
  }
  addAll(bound, binds);
}

function hasAs(tokens: IToken[], from: number): boolean {
  for (let i = from; i < tokens.length; i++) {
    if (tokens[i].kind === 'op' && tokens[i].value === ',') {
      return false;
    }
    if (tokens[i].kind === 'name' && tokens[i].value === 'as') {
      return true;
    }
  }
  return false;
}

/** Parameter names from `(` at `start` (def) or up to `end` (lambda); defaults are uses. */
function paramNames(
  tokens: IToken[],
  start: number,
  binds: Set<string>,
  skip: Set<number>,
  end?: string
): void {
  let depth = 0;
  let expectName = true;
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'op') {
      if ('([{'.includes(t.value)) {
        depth++;
        if (depth === 1 && !end) {
          expectName = true;
        }
        continue;
      }
      if (')]}'.includes(t.value)) {
        depth--;
        if (depth === 0 && !end) {
          return;
        }
        continue;
      }
      if (end && depth === 0 && t.value === end) {
        return;
      }
      const top = end ? 0 : 1;
      if (depth === top && t.value === ',') {
        expectName = true;
      } else if (depth === top && (t.value === '=' || t.value === ':')) {
        expectName = false;
      }
      continue;
    }
    const top = end ? 0 : 1;
    if (depth === top && expectName) {
      binds.add(t.value);
      skip.add(i);
      expectName = false;
    }
  }
}

function addAll(into: Set<string>, from: Set<string>): void {
  for (const v of from) {
    into.add(v);
  }
}

/** Cells that start with a non-Python cell magic (`%%bash`) are not Python. */
export function isPythonCell(source: string): boolean {
  const m = /^\s*%%([A-Za-z_][\w-]*)/.exec(source);
  return !m || PYTHON_CELL_MAGICS.has(m[1].toLowerCase());
}

/** True when the cell reads one of `names` as a free name. */
export function usesNames(source: string, names: ReadonlySet<string>): boolean {
  if (!isPythonCell(source)) {
    return false;
  }
  for (const name of freeNames(source)) {
    if (names.has(name)) {
      return true;
    }
  }
  return false;
}
