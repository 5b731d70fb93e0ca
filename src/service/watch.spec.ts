import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, BACKOFF } from './watch';

describe('watch backoff', () => {
  it('grows from 1 s to 10 s with jitter after quick ends, and starts over after a healthy watch', () => {
    const backoff = new Backoff();
    const delays = Array.from({ length: 8 }, () => backoff.next(50));
    const ceilings = [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000];
    delays.forEach((d, i) => {
      assert.ok(d >= ceilings[i] / 2 && d <= ceilings[i], `${i}: ${d}`);
    });
    // Ten quick ends in a row cost at most ~45 s of waiting, never a tight loop.
    assert.ok(delays.reduce((a, b) => a + b) > 20_000);
    const renewed = backoff.next(BACKOFF.healthyMs);
    assert.ok(renewed >= 0 && renewed <= BACKOFF.renewMs);
    assert.ok(backoff.next(10) <= 1000);
  });

  it('spreads the delays (jitter), so watchers do not retry together', () => {
    const delays = new Set(
      Array.from({ length: 20 }, () => Math.round(new Backoff().next(0)))
    );
    assert.ok(delays.size > 5, [...delays].join(','));
  });
});
