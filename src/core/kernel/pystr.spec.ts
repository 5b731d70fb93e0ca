import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonLiterals } from '../testing/python';
import { pyStr, pyStrDict, pyStrList } from './pystr';

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

describe('pyStr', () => {
  it('emits ASCII-only literals', () => {
    for (const s of HOSTILE) {
      assert.match(pyStr(s), /^"[\x20-\x7e]*"$/);
    }
  });

  it('round-trips hostile strings exactly through Python', () => {
    assert.deepEqual(pythonLiterals(HOSTILE.map(pyStr)), HOSTILE);
  });

  it('round-trips 3,000 random strings exactly (fuzz)', () => {
    const rng = mulberry32(20261122);
    const values = Array.from({ length: 3000 }, () => randomNasty(rng));
    assert.deepEqual(pythonLiterals(values.map(pyStr)), values);
  });

  it('builds lists and dicts Python reads back', () => {
    assert.deepEqual(
      pythonLiterals([pyStrList(HOSTILE), pyStrDict({ "k'": 'v"', a: '\\' })]),
      [HOSTILE, { "k'": 'v"', a: '\\' }]
    );
  });
});
