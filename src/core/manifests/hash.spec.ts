import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { base64Encode, utf8Encode, utf8Length } from './bytes';
import { sha256Hex } from './hash';

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 vectors', () => {
    assert.equal(
      sha256Hex(''),
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    );
    assert.equal(
      sha256Hex('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    );
    assert.equal(
      sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
    );
  });

  it('hashes a million "a" (1 MB)', () => {
    assert.equal(
      sha256Hex('a'.repeat(1000000)),
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'
    );
  });

  it("agrees with Node's crypto at every length around the block boundaries", () => {
    for (let n = 0; n < 200; n++) {
      const bytes = randomBytes(n);
      assert.equal(
        sha256Hex(Uint8Array.from(bytes)),
        createHash('sha256').update(bytes).digest('hex'),
        `length ${n}`
      );
    }
  });

  it('hashes strings as UTF-8', () => {
    const text = 'héllo wörld ✓ 𝄞 \u2028';
    assert.equal(
      sha256Hex(text),
      createHash('sha256').update(text, 'utf8').digest('hex')
    );
  });
});

describe('bytes', () => {
  it('encodes UTF-8 like Node, lone surrogates as U+FFFD', () => {
    for (const text of [
      '',
      'abc',
      'é',
      '€',
      '𝄞',
      'a\ud800b',
      '\udc00',
      'x\ud83d',
      '\u0000\u007f\u0080\u07ff\u0800\uffff'
    ]) {
      const expected = Buffer.from(text, 'utf8');
      assert.deepEqual(
        Buffer.from(utf8Encode(text)),
        expected,
        JSON.stringify(text)
      );
      assert.equal(utf8Length(text), expected.length, JSON.stringify(text));
    }
  });

  it('encodes base64 like Node', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = randomBytes(n);
      assert.equal(
        base64Encode(Uint8Array.from(bytes)),
        bytes.toString('base64')
      );
    }
    const big = randomBytes(100003);
    assert.equal(base64Encode(Uint8Array.from(big)), big.toString('base64'));
  });
});
