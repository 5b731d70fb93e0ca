import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  driverUiPath,
  driverUiPort,
  driverUiPrefix,
  rewriteDriverLocation
} from './index';

describe('driverUiPort', () => {
  it('prefers spark.ui.port of the Spark conf', () => {
    const app = {
      spec: { sparkConf: { 'spark.ui.port': '4141' } },
      status: { driverInfo: { webUIPort: 4040 } }
    };
    assert.equal(driverUiPort(app), 4141);
  });
  it('falls back to the operator’s webUIPort, then 4040', () => {
    assert.equal(
      driverUiPort({ status: { driverInfo: { webUIPort: 4242 } } }),
      4242
    );
    assert.equal(driverUiPort({ spec: {} }), 4040);
    assert.equal(driverUiPort(null), 4040);
  });
  it('ignores a port that is not one', () => {
    const app = { spec: { sparkConf: { 'spark.ui.port': '0; rm -rf' } } };
    assert.equal(driverUiPort(app), 4040);
    assert.equal(
      driverUiPort({ spec: { sparkConf: { 'spark.ui.port': '70000' } } }),
      4040
    );
  });
});

describe('driverUiPrefix', () => {
  it('puts the forwarded context in front of the route', () => {
    assert.equal(
      driverUiPrefix('/user/ada/spark-k8s-api/', 'etl'),
      '/user/ada/spark-k8s-api/jobs/applications/etl/ui'
    );
    assert.equal(driverUiPrefix(undefined, 'etl'), '/jobs/applications/etl/ui');
  });
  it('ignores a context that is not a plain path', () => {
    assert.equal(
      driverUiPrefix('http://evil/x', 'etl'),
      '/jobs/applications/etl/ui'
    );
    assert.equal(
      driverUiPrefix('/a"><script>', 'etl'),
      '/jobs/applications/etl/ui'
    );
  });
});

describe('rewriteDriverLocation', () => {
  const up = 'http://10.1.2.3:4040';
  it('makes Spark’s redirects relative to the service root', () => {
    assert.equal(
      rewriteDriverLocation(
        'http://10.1.2.3:4040/user/ada/spark-k8s-api/jobs/applications/etl/ui/jobs/',
        up,
        '/user/ada/spark-k8s-api',
        'etl'
      ),
      '/jobs/applications/etl/ui/jobs/'
    );
    assert.equal(
      rewriteDriverLocation(
        '/jobs/applications/etl/ui/jobs/?id=1',
        up,
        undefined,
        'etl'
      ),
      '/jobs/applications/etl/ui/jobs/?id=1'
    );
  });
  it('keeps a redirect to Spark’s root under the route', () => {
    assert.equal(
      rewriteDriverLocation('http://10.1.2.3:4040/jobs/', up, '/ctx', 'etl'),
      driverUiPath('etl') + '/jobs/'
    );
  });
  it('leaves other hosts alone', () => {
    assert.equal(
      rewriteDriverLocation('https://example.org/x', up, '/ctx', 'etl'),
      'https://example.org/x'
    );
  });
});
