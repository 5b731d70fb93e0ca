/**
 * Python source literals built from arbitrary user strings.
 *
 * Every string that reaches generated Python goes through `pyStr`, which emits
 * an ASCII-only double-quoted literal: quotes, backslashes, newlines, NUL and
 * every non-ASCII code point are escaped, so no user text can end the literal
 * early or be read as code, whatever the source encoding.
 */

/** A Python string literal whose value is exactly `value`. */
export function pyStr(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    // Keep astral characters whole so Python gets one code point, not two
    // surrogates; a lone surrogate is escaped as itself.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const low = value.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const cp = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        out += '\\U' + cp.toString(16).padStart(8, '0');
        i++;
        continue;
      }
    }
    out += escapeUnit(unit);
  }
  return out + '"';
}

function escapeUnit(unit: number): string {
  switch (unit) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return '\\\\';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
  }
  if (unit >= 0x20 && unit < 0x7f) {
    return String.fromCharCode(unit);
  }
  if (unit < 0x100) {
    return '\\x' + unit.toString(16).padStart(2, '0');
  }
  return '\\u' + unit.toString(16).padStart(4, '0');
}

/** A Python list literal of string literals. */
export function pyStrList(values: readonly string[]): string {
  return '[' + values.map(pyStr).join(', ') + ']';
}

/** A Python dict literal mapping strings to strings, keys in insertion order. */
export function pyStrDict(values: Readonly<Record<string, string>>): string {
  const items = Object.entries(values).map(
    ([k, v]) => `${pyStr(k)}: ${pyStr(v)}`
  );
  return '{' + items.join(', ') + '}';
}
