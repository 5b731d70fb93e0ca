import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  toSparkMemory,
  validateCpu,
  validateQuantity,
  validateSparkMemory
} from './quantity';

describe('validateQuantity', () => {
  it('accepts Kubernetes quantities', () => {
    for (const q of [
      '1',
      '0.5',
      '500m',
      '1Gi',
      '512Mi',
      '2G',
      '1e3',
      '.5',
      '100k',
      '1Ei'
    ]) {
      assert.equal(validateQuantity(q), null, q);
    }
  });

  it('rejects what the API server would', () => {
    for (const q of [
      '',
      '1GB',
      '1gi',
      '-1',
      'abc',
      '1 Gi',
      ' 1',
      '1.5.2',
      'Gi'
    ]) {
      assert.match(
        validateQuantity(q, 'memory limit') || '',
        /memory limit .*(not a Kubernetes quantity|spaces)/,
        q
      );
    }
  });

  it('checks CPU amounts', () => {
    assert.equal(validateCpu('500m'), null);
    assert.equal(validateCpu('2'), null);
    assert.equal(validateCpu('0.25'), null);
    assert.match(validateCpu('1Gi') || '', /number of cores/);
    assert.match(validateCpu('0') || '', /more than zero/);
    assert.match(validateCpu('0m') || '', /more than zero/);
  });
});

describe('toSparkMemory', () => {
  const cases: Array<[string, string]> = [
    ['2g', '2g'],
    ['2G', '2g'],
    ['2gb', '2g'],
    ['512m', '512m'],
    ['512M', '512m'],
    ['512', '512m'],
    ['1t', '1t'],
    ['2048k', '2048k'],
    ['2Gi', '2g'],
    ['512Mi', '512m'],
    ['1.5Gi', '1536m'],
    ['1024Mi', '1g'],
    ['1Ti', '1t'],
    ['2097152Ki', '2g']
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      assert.deepEqual(toSparkMemory(input), { value: expected });
    });
  }

  it('rejects fractions, zero, tiny and malformed sizes with a clear message', () => {
    const bad: Array<[string, RegExp]> = [
      [
        '1.5g',
        /fraction; Spark takes whole sizes: write 1536m instead of 1.5g/
      ],
      ['0', /more than zero/],
      ['100k', /less than 1 MiB/],
      ['2 g', /not a size/],
      ['two gigs', /not a size/],
      ['', /not a size/],
      ['-1g', /not a size/],
      ['1.1Ki', /whole number of MiB/],
      [' 2g', /not a size/]
    ];
    for (const [input, pattern] of bad) {
      assert.match(
        validateSparkMemory(input, 'driver memory') || '',
        pattern,
        input
      );
      assert.match(
        validateSparkMemory(input, 'driver memory') || '',
        /^driver memory/,
        input
      );
    }
  });
});
