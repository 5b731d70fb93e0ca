import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonLiterals } from '../testing/python';
import { HOSTILE, mulberry32, randomNasty } from '../testing/hostile';
import { pyStr, pyStrDict, pyStrList } from './pystr';

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
