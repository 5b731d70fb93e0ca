import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_PROFILE, sessionConf, validateProfile } from './profile';

describe('validateProfile', () => {
  it('accepts the built-in local profile', () => {
    assert.deepEqual(validateProfile(LOCAL_PROFILE), []);
  });

  it('says what is wrong with each bad field', () => {
    const errors = validateProfile({
      name: 'bad',
      kind: 'local',
      master: 'yarn',
      driverMemory: 'lots',
      conf: { 'executor.memory': '1g', 'spark.ok': '1' }
    });
    assert.equal(errors.length, 3);
    assert.match(errors[0], /master "yarn" is not a local master/);
    assert.match(errors[1], /driver memory "lots" is not a size/);
    assert.match(
      errors[2],
      /conf key "executor.memory" is not a Spark property/
    );
  });
});

describe('sessionConf', () => {
  it('builds the local conf with redirects back under Jupyter', () => {
    const conf = sessionConf(
      { ...LOCAL_PROFILE, conf: { 'spark.sql.shuffle.partitions': '4' } },
      { appName: 'nb', uiOrigin: 'https://hub.example.org' }
    );
    assert.deepEqual(conf, {
      'spark.master': 'local[*]',
      'spark.app.name': 'nb',
      'spark.driver.memory': '1g',
      'spark.ui.enabled': 'true',
      'spark.ui.proxyRedirectUri': 'https://hub.example.org',
      'spark.sql.shuffle.partitions': '4'
    });
  });

  it('refuses an invalid profile with the reasons', () => {
    assert.throws(
      () =>
        sessionConf(
          { name: 'x', kind: 'local', driverMemory: '1 g' },
          { appName: 'a' }
        ),
      /driver memory "1 g" is not a size/
    );
  });
});
