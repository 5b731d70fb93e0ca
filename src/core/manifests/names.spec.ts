import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  nameFromNotebook,
  SCHEDULED_APP_NAME_MAX_LENGTH,
  toLabelValue,
  validateDataKey,
  validateDnsLabel,
  validateDnsSubdomain,
  validateLabelValue,
  validateMetadataKey,
  validateName
} from './names';

describe('validateName', () => {
  it('accepts lowercase DNS names that start with a letter', () => {
    for (const name of ['a', 'etl', 'etl-daily-2', 'a'.repeat(50)]) {
      assert.equal(validateName(name), null, name);
    }
  });

  it('explains what is wrong in plain words', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /is empty/],
      ['ETL', /uppercase letters; use lowercase/],
      ['etl_daily', /only lowercase letters, digits and '-'/],
      ['-etl', /start and end with a letter or digit/],
      ['etl-', /start and end/],
      ['../x', /only lowercase/],
      ['a\nb', /only lowercase/],
      ['a'.repeat(51), /51 characters long; the limit is 50/],
      ['a'.repeat(300), /300 characters long/],
      ['1etl', /must start with a letter/]
    ];
    for (const [name, pattern] of cases) {
      assert.match(validateName(name) || '', pattern, JSON.stringify(name));
    }
    assert.match(
      validateName('a'.repeat(37), SCHEDULED_APP_NAME_MAX_LENGTH) || '',
      /the limit is 36/
    );
  });

  it('checks labels, subdomains, metadata keys, label values and file names', () => {
    assert.equal(validateDnsLabel('alice', 'namespace'), null);
    assert.match(validateDnsLabel('a.b', 'namespace') || '', /namespace "a.b"/);
    assert.equal(validateDnsSubdomain('db-creds.v2'), null);
    assert.match(validateDnsSubdomain('a..b') || '', /each dot-separated part/);
    assert.equal(validateMetadataKey('spark-k8s.jupyter.org/app'), null);
    assert.equal(validateMetadataKey('team'), null);
    assert.match(validateMetadataKey('Bad.Prefix/x') || '', /uppercase/);
    assert.match(validateMetadataKey('x/') || '', /must end in a name/);
    assert.equal(validateLabelValue(''), null);
    assert.equal(validateLabelValue('v1.2_x'), null);
    assert.match(validateLabelValue('a b') || '', /only letters/);
    assert.match(validateLabelValue('x'.repeat(64)) || '', /the limit is 63/);
    assert.equal(validateDataKey('job.py'), null);
    assert.match(validateDataKey('..') || '', /may not be/);
    assert.match(validateDataKey('a/b') || '', /no '\/'/);
  });

  it('turns any text into a label value', () => {
    assert.equal(toLabelValue('alice@example.com'), 'alice-example.com');
    assert.equal(toLabelValue('  --x--  '), 'x');
    assert.equal(toLabelValue('é'), '');
    assert.equal(validateLabelValue(toLabelValue('a '.repeat(100))), null);
  });
});

describe('nameFromNotebook', () => {
  it('derives a valid, stable name from the file name plus a path hash', () => {
    const name = nameFromNotebook('Team Folder/ETL Daily (v2).ipynb');
    assert.match(name, /^etl-daily-v2-[0-9a-f]{6}$/);
    assert.equal(nameFromNotebook('Team Folder/ETL Daily (v2).ipynb'), name);
    assert.equal(validateName(name), null);
  });

  it('gives different names to the same file name in different folders', () => {
    assert.notEqual(
      nameFromNotebook('a/report.ipynb'),
      nameFromNotebook('b/report.ipynb')
    );
  });

  it('handles hostile and odd paths', () => {
    const paths = [
      '',
      '/',
      '../../etc/passwd',
      'Übersicht.ipynb',
      '2024 report.py',
      '日本語.ipynb',
      '.ipynb',
      'a\nb.ipynb',
      'x'.repeat(300) + '.ipynb',
      '---.sql',
      'C:\\Users\\me\\Nb.ipynb',
      'UPPER_case.Ipynb'
    ];
    for (const path of paths) {
      const name = nameFromNotebook(path);
      assert.equal(
        validateName(name),
        null,
        `${JSON.stringify(path)} → ${name}`
      );
      const short = nameFromNotebook(path, SCHEDULED_APP_NAME_MAX_LENGTH);
      assert.equal(
        validateName(short, SCHEDULED_APP_NAME_MAX_LENGTH),
        null,
        short
      );
    }
    assert.match(nameFromNotebook('Übersicht.ipynb'), /^ubersicht-/);
    assert.match(nameFromNotebook('2024 report.py'), /^nb-2024-report-/);
    assert.match(nameFromNotebook('日本語.ipynb'), /^notebook-/);
    assert.equal(nameFromNotebook('x'.repeat(300)).length, 50);
  });
});
