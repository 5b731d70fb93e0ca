import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argumentsOf, JOB_NAME, logOptions } from './jobs-request';

describe('jobs request checks', () => {
  it('accepts arguments as a list of strings, or none', () => {
    assert.equal(argumentsOf(null), undefined);
    assert.equal(argumentsOf({}), undefined);
    assert.deepEqual(argumentsOf({ arguments: ['--day', 'x'] }), [
      '--day',
      'x'
    ]);
    assert.throws(
      () => argumentsOf({ arguments: '--day x' }),
      /list of strings/
    );
    assert.throws(() => argumentsOf({ arguments: [1] }), /list of strings/);
    assert.throws(() => argumentsOf([]), /JSON object/);
  });

  it('reads follow and tailLines, refusing bad values in words', () => {
    assert.deepEqual(
      logOptions(new URLSearchParams('follow=true&tailLines=50')),
      {
        follow: true,
        tailLines: 50
      }
    );
    assert.deepEqual(logOptions(new URLSearchParams('')), {
      follow: false,
      tailLines: undefined
    });
    assert.throws(
      () => logOptions(new URLSearchParams('tailLines=-1')),
      /positive whole number/
    );
    assert.throws(
      () => logOptions(new URLSearchParams('follow=yes')),
      /"true" or "false"/
    );
  });

  it('takes only Kubernetes names in routes', () => {
    assert.ok(JOB_NAME.test('nightly-manual-20250301090807'));
    assert.ok(!JOB_NAME.test('../etc'));
    assert.ok(!JOB_NAME.test('Upper'));
  });
});
