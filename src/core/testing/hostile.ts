/**
 * Test helper: strings that break naive code generation, fixed and random.
 */

/** Strings that break naive code generation. */
export const HOSTILE = [
  '',
  "'",
  '"',
  '"""',
  "'''",
  '\\',
  'ends with backslash\\',
  '\\n is not a newline',
  'a\nb\r\nc\rd',
  '"); import os; os.system("echo pwned"); ("',
  "'''; import os; '''",
  '${name} and ${ {evil} }',
  '{0} %s %(x)s {{}}',
  '\u0000nul \u0007bell \u001b[31mred',
  'caf\u00e9 \u4e2d\u6587 \u{1f600} \u{10ffff}',
  '\u2028line sep\u2029para sep\u0085nel',
  '\ud800 lone high, \udfff lone low',
  '\t\v\f'
];

/** A random string drawn from every kind of trouble. */
export function randomNasty(rng: () => number): string {
  const pieces = [
    "'",
    '"',
    '"""',
    '\\',
    '\n',
    '\r',
    '\t',
    ';',
    '--',
    '/*',
    '*/',
    '${',
    '}',
    '`',
    ' ',
    'a',
    'Z',
    '0',
    '\u0000',
    '\u00e9',
    '\u2028',
    '\u{1f4a9}',
    '\ud800',
    '%',
    '{',
    '#'
  ];
  let out = '';
  const n = Math.floor(rng() * 24);
  for (let i = 0; i < n; i++) {
    out += pieces[Math.floor(rng() * pieces.length)];
  }
  return out;
}

/** A small deterministic PRNG, so a failure can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
