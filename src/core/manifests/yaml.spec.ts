import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import yaml from 'js-yaml';
import { mulberry32 as rng } from '../testing/hostile';
import { JsonValue, toYaml, yamlDocument, yamlString } from './yaml';

const PIECES = [
  ': ',
  ' #',
  '#',
  '- ',
  '-',
  '---',
  '...',
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\r',
  '\t',
  ' ',
  '  ',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  'é',
  '日本',
  '😀',
  '\ud800',
  '\udfff',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'N',
  'true',
  'False',
  'null',
  '~',
  'NULL',
  '.inf',
  '-.Inf',
  '.nan',
  '0',
  '012',
  '0x1F',
  '0o17',
  '0b101',
  '1_000',
  '1e3',
  '+1',
  '-1.5',
  '1:20',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '<<',
  '=',
  '?',
  'a',
  'spark.conf',
  'local:///x',
  '512m',
  '$x',
  '${env:A}',
  'key: value'
];

function randomString(next: () => number): string {
  const parts = Math.floor(next() * 6);
  let out = '';
  for (let i = 0; i < parts; i++) {
    const r = next();
    if (r < 0.6) {
      out += PIECES[Math.floor(next() * PIECES.length)];
    } else if (r < 0.8) {
      out += String.fromCharCode(Math.floor(next() * 0x80));
    } else {
      out += String.fromCharCode(Math.floor(next() * 0x10000));
    }
  }
  return out;
}

function roundTrip(value: JsonValue): void {
  const text = yamlDocument(value);
  let parsed: unknown;
  try {
    parsed = yaml.load(text);
  } catch (error) {
    assert.fail(
      `${JSON.stringify(value)} gave unparseable YAML:\n${text}\n${error}`
    );
  }
  assert.deepEqual(parsed, value, `YAML was:\n${text}`);
}

describe('yamlDocument', () => {
  it('writes nested mappings and sequences in insertion order', () => {
    const text = yamlDocument({
      b: 1,
      a: { list: [1, 'two', { x: true, y: null }, [], {}, ['n']], empty: '' },
      // y and n are booleans in YAML 1.1, which Kubernetes' parser follows.
      skipped: undefined
    });
    assert.equal(
      text,
      [
        'b: 1',
        'a:',
        '  list:',
        '    - 1',
        '    - two',
        '    - x: true',
        '      "y": null',
        '    - []',
        '    - {}',
        '    -',
        '      - "n"',
        '  empty: ""',
        ''
      ].join('\n')
    );
  });

  it('quotes every word YAML 1.1 or 1.2 would misread', () => {
    for (const word of [
      'yes',
      'No',
      'ON',
      'off',
      'y',
      'n',
      'true',
      'null',
      '~',
      '',
      '012',
      '0x1F',
      '1e3',
      '1_000',
      '1:20',
      '2001-12-14',
      '.inf',
      '- x',
      'a: b',
      'a #b',
      ' x',
      'x ',
      '@x',
      '*x',
      '&x',
      '!x',
      '%x',
      '{x}',
      '[x]',
      ',x',
      '|',
      '>',
      '"',
      "'",
      '?'
    ]) {
      assert.match(yamlString(word), /^"/, JSON.stringify(word));
    }
    for (const word of [
      'spark',
      'spark.sql.shuffle.partitions',
      'local:///opt/job.py',
      '512m',
      '2Gi',
      'kubernetes.io/os',
      'a b',
      'x_y-z'
    ]) {
      assert.equal(yamlString(word), word);
    }
  });

  it('escapes control and non-ASCII characters in double quotes', () => {
    assert.equal(
      yamlString('a\u0000b\tc"d\\e\u2028é😀'),
      '"a\\0b\\tc\\"d\\\\e\\u2028\\xE9\\U0001F600"'
    );
  });

  it('writes multi-line text as an exact literal block', () => {
    const script = 'import os\n\nprint("a: b # c")\n  indented\n';
    const text = yamlDocument({
      data: { 'job.py': script, strip: 'a\nb', keep: 'a\n\n\n' }
    });
    assert.match(text, /job\.py: \|\n {4}import os\n\n {4}print/);
    assert.match(text, /strip: \|-\n/);
    assert.match(text, /keep: \|\+\n/);
    roundTrip({ data: { 'job.py': script, strip: 'a\nb', keep: 'a\n\n\n' } });
  });

  it('rejects numbers YAML cannot carry', () => {
    assert.throws(() => yamlDocument({ x: NaN }), /cannot carry/);
    assert.throws(() => yamlDocument({ x: Infinity }), /cannot carry/);
  });

  it('joins documents with ---', () => {
    assert.equal(toYaml([{ a: 1 }, { b: 2 }]), 'a: 1\n---\nb: 2\n');
    assert.deepEqual(yaml.loadAll(toYaml([{ a: 1 }, ['x'], 'yes'])), [
      { a: 1 },
      ['x'],
      'yes'
    ]);
  });

  it('round-trips 3,000 hostile random strings as values, keys and list items', () => {
    const next = rng(20241109);
    for (let i = 0; i < 3000; i++) {
      const s = randomString(next);
      roundTrip({ value: s, nested: { list: [s, { inner: s }] }, [s]: 'key' });
      roundTrip([s, [s]]);
      roundTrip(s);
    }
  });

  it('round-trips random multi-line text', () => {
    const next = rng(7);
    const lines = [
      'print(1)',
      '',
      '  x = 1',
      '\tindented',
      '# c',
      '- a',
      '---',
      '...',
      'a: b',
      ' ',
      'é😀',
      'x  '
    ];
    for (let i = 0; i < 2000; i++) {
      const n = 1 + Math.floor(next() * 6);
      const parts: string[] = [];
      for (let j = 0; j < n; j++) {
        parts.push(lines[Math.floor(next() * lines.length)]);
      }
      const text =
        parts.join('\n') + (next() < 0.5 ? '\n' : next() < 0.5 ? '\n\n' : '');
      roundTrip({ data: { 'job.py': text, after: 1 }, list: [text, 'z'] });
      roundTrip({ last: text });
    }
  });
});
