/**
 * A deterministic YAML emitter for JSON-like values. Keys keep insertion
 * order (the builders make it deterministic); every string YAML 1.1 or 1.2
 * could misread is double-quoted with escapes; multi-line text becomes a
 * literal block when that is exact.
 */

/** A JSON-like value the emitter accepts (`undefined` members are skipped). */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/** One YAML document for a value, ending in a newline. */
export function yamlDocument(value: JsonValue): string {
  const out: string[] = [];
  if (isBlockNode(value)) {
    if (Array.isArray(value)) {
      writeSequence(value, 0, out);
    } else {
      writeMapping(value as IMapping, 0, out);
    }
  } else {
    out.push(inlineScalar(value));
  }
  return out.join('\n') + '\n';
}

/** Several YAML documents joined with `---` lines. */
export function toYaml(documents: JsonValue[]): string {
  return documents.map(yamlDocument).join('---\n');
}

/** A string as a YAML scalar: plain when that reads back as the same string, else double-quoted. */
export function yamlString(text: string): string {
  return isPlainSafe(text) ? text : doubleQuoted(text);
}

interface IMapping {
  [key: string]: JsonValue | undefined;
}

function isBlockNode(value: JsonValue | undefined): boolean {
  if (Array.isArray(value)) {
    return value.length > 0;
  }
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).some(key => value[key] !== undefined);
  }
  return false;
}

function writeMapping(map: IMapping, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const key of Object.keys(map)) {
    const value = map[key];
    if (value === undefined) {
      continue;
    }
    const head = `${pad}${yamlString(key)}:`;
    if (typeof value === 'string' && isLiteralBlockSafe(value)) {
      out.push(`${head} ${literalHeader(value)}`);
      pushLiteral(value, indent + 2, out);
    } else if (!isBlockNode(value)) {
      out.push(`${head} ${inlineScalar(value)}`);
    } else if (Array.isArray(value)) {
      out.push(head);
      writeSequence(value, indent + 2, out);
    } else {
      out.push(head);
      writeMapping(value as IMapping, indent + 2, out);
    }
  }
}

function writeSequence(
  items: JsonValue[],
  indent: number,
  out: string[]
): void {
  const pad = ' '.repeat(indent);
  for (const item of items) {
    if (typeof item === 'string' && isLiteralBlockSafe(item)) {
      out.push(`${pad}- ${literalHeader(item)}`);
      pushLiteral(item, indent + 2, out);
    } else if (!isBlockNode(item)) {
      out.push(`${pad}- ${inlineScalar(item)}`);
    } else if (Array.isArray(item)) {
      out.push(`${pad}-`);
      writeSequence(item, indent + 2, out);
    } else {
      const start = out.length;
      writeMapping(item as IMapping, indent + 2, out);
      out[start] = `${pad}- ${out[start].slice(indent + 2)}`;
    }
  }
}

function inlineScalar(value: JsonValue | undefined): string {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    if (!isFinite(value)) {
      throw new Error(`YAML cannot carry the number ${value}`);
    }
    return String(value);
  }
  if (typeof value === 'string') {
    return yamlString(value);
  }
  return Array.isArray(value) ? '[]' : '{}';
}

// Words YAML 1.1 (Kubernetes' parser) or 1.2 read as booleans or null.
const RESERVED = new Set([
  'y',
  'n',
  'yes',
  'no',
  'true',
  'false',
  'on',
  'off',
  'null'
]);

function isPlainSafe(text: string): boolean {
  if (!/^[A-Za-z0-9_/][A-Za-z0-9_./+=@: -]*$/.test(text)) {
    return false;
  }
  if (
    / $/.test(text) ||
    /:$/.test(text) ||
    /: /.test(text) ||
    / {2}/.test(text)
  ) {
    return false;
  }
  if (RESERVED.has(text.toLowerCase())) {
    return false;
  }
  // Anything number-, date- or time-like (ints, floats, 0x…, 1_000, 1:20, 2001-12-14…).
  if (/^[0-9]/.test(text) && /^[0-9a-fA-FxXoObB_.:+\-eEtTzZ ]+$/.test(text)) {
    return false;
  }
  return true;
}

const ESCAPES: { [ch: string]: string } = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1b': '\\e',
  '"': '\\"',
  '\\': '\\\\'
};

function doubleQuoted(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = text.charCodeAt(i);
    if (ESCAPES[ch] !== undefined) {
      out += ESCAPES[ch];
    } else if (code >= 0x20 && code < 0x7f) {
      out += ch;
    } else if (code < 0x100) {
      out += '\\x' + hex(code, 2);
    } else if (
      code >= 0xd800 &&
      code <= 0xdbff &&
      isLow(text.charCodeAt(i + 1))
    ) {
      const cp =
        0x10000 + ((code - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      out += '\\U' + hex(cp, 8);
      i++;
    } else {
      out += '\\u' + hex(code, 4);
    }
  }
  return out + '"';
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

// A literal block is exact only for printable text whose first line does not
// start with white space (that would need an indentation indicator).
function isLiteralBlockSafe(text: string): boolean {
  if (text.indexOf('\n') < 0 || /^[\s]/.test(text) || !/\S/.test(text)) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || code === 0x09 || (code >= 0x20 && code < 0x7f)) {
      continue;
    }
    if (code < 0xa0 || code === 0x2028 || code === 0x2029 || code === 0xfeff) {
      return false;
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      if (!isLow(text.charCodeAt(i + 1))) {
        return false;
      }
      i++;
    } else if (isLow(code) || code >= 0xfffe) {
      return false;
    }
  }
  return true;
}

function literalHeader(text: string): string {
  if (!text.endsWith('\n')) {
    return '|-';
  }
  return text.endsWith('\n\n') ? '|+' : '|';
}

function pushLiteral(text: string, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  for (const line of body.split('\n')) {
    out.push(line ? pad + line : '');
  }
}
