/** The publish dialog's model against a faked service, notebook and files. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildPublication,
  IClusterInfo,
  IPublishSource,
  ISecretKeys
} from '../../core';
import {
  conflictsOf,
  IPublishClient,
  IPublishOutcome,
  IPublishRequest,
  parsePairs,
  parseTolerations,
  PublishModel,
  schedulePreview
} from './model';

const CLUSTER: IClusterInfo = {
  available: true,
  namespace: 'lab',
  operators: { kubeflow: true, apache: false }
};

class FakeClient implements IPublishClient {
  cluster_: IClusterInfo | Error = CLUSTER;
  secretList: ISecretKeys[] = [{ name: 'warehouse', keys: ['password'] }];
  requests: IPublishRequest[] = [];
  answers: Array<IPublishOutcome | Error> = [];
  async cluster(): Promise<IClusterInfo> {
    if (this.cluster_ instanceof Error) {
      throw this.cluster_;
    }
    return this.cluster_;
  }
  async secrets(): Promise<ISecretKeys[]> {
    return this.secretList;
  }
  async publish(request: IPublishRequest): Promise<IPublishOutcome> {
    this.requests.push(request);
    const answer = this.answers.shift() ?? {
      application: {
        kind: 'SparkApplication',
        name: 'x',
        namespace: 'lab'
      },
      created: true
    };
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  }
}

/** A notebook open in an editor: cells, unsaved changes, and its saves. */
class FakeNotebook {
  cells = [
    {
      cell_type: 'code' as const,
      source: "day = dbutils.widgets.get('day')\nprint(day)",
      metadata: {}
    }
  ];
  dirty = false;
  saves = 0;
  /** The cells as they are on disk. */
  saved = this.cells.map(c => ({ ...c }));
  edit(source: string): void {
    this.cells = [...this.cells, { cell_type: 'code', source, metadata: {} }];
    this.dirty = true;
  }
  async source(options: { save: boolean }): Promise<IPublishSource> {
    if (options.save && this.dirty) {
      this.saves++;
      this.saved = this.cells.map(c => ({ ...c }));
      this.dirty = false;
    }
    return {
      notebook: { cells: this.cells.map(c => ({ ...c })) } as any,
      path: 'team/etl.ipynb',
      load: async () => null
    };
  }
}

function model(
  client = new FakeClient(),
  notebook = new FakeNotebook(),
  extra: Partial<PublishModel.IOptions> = {}
) {
  return new PublishModel({
    path: 'team/etl.ipynb',
    client,
    source: o => notebook.source(o),
    isDirty: () => notebook.dirty,
    secretScopes: { 'prod-db': 'warehouse' },
    parameters: { day: 'mon' },
    timeZone: 'Europe/Paris',
    now: () => new Date('2025-03-28T12:00:00Z'),
    locale: 'en-GB',
    ...extra
  });
}

describe('PublishModel', () => {
  it('fills the form with defaults: namespace, served operator, parameters', async () => {
    const m = model();
    await m.load();
    const form = m.form!;
    assert.equal(form.namespace, 'lab');
    assert.equal(form.operator, 'kubeflow');
    assert.deepEqual(form.parameters, { day: 'mon' });
    assert.match(form.name, /^etl-[0-9a-f]{6}$/);
    assert.equal(m.publishBlocked, null);
    assert.deepEqual(m.problems, []);
  });

  it('offers the widgets the notebook declares, with the kernel\u2019s current values over them', async () => {
    const notebook = new FakeNotebook();
    notebook.cells.push({
      cell_type: 'code',
      source:
        "dbutils.widgets.text('region', 'eu')\ndbutils.widgets.text('day', 'sun')",
      metadata: {}
    });
    const m = model(new FakeClient(), notebook);
    await m.load();
    assert.deepEqual(m.form!.parameters, { day: 'mon', region: 'eu' });
  });

  it('picks the Apache operator when only its CRD is served', async () => {
    const client = new FakeClient();
    client.cluster_ = {
      ...CLUSTER,
      operators: { kubeflow: false, apache: true }
    };
    const m = model(client);
    await m.load();
    assert.equal(m.form!.operator, 'apache');
    assert.deepEqual(m.operators, ['apache']);
  });

  it('offers Export YAML only when no operator is served, and never calls publish', async () => {
    const client = new FakeClient();
    client.cluster_ = {
      ...CLUSTER,
      operators: { kubeflow: false, apache: false }
    };
    const m = model(client);
    await m.load();
    assert.match(m.publishBlocked!, /serves no Spark operator/);
    assert.equal(await m.publish(), null);
    assert.equal(client.requests.length, 0);
    assert.match(m.error!.message, /Export YAML/);
    const exported = await m.exportYaml();
    assert.ok(exported);
    assert.match(exported.yaml, /kind: SparkApplication/);
  });

  it('still exports when the service is unreachable, and says why Publish cannot', async () => {
    const client = new FakeClient();
    client.cluster_ = Object.assign(new Error('connection refused'), {
      code: 'Unreachable'
    });
    const m = model(client);
    await m.load();
    assert.equal(m.form!.namespace, 'default');
    assert.match(m.publishBlocked!, /cannot be reached \(connection refused\)/);
    assert.ok(await m.exportYaml());
  });

  it('shows a bad name and a bad memory at their fields as they are typed', async () => {
    const m = model();
    await m.load();
    m.update({ name: 'Bad_Name' });
    assert.equal(m.problemsAt('name').length, 1);
    m.update({ name: 'good-name' });
    assert.deepEqual(m.problemsAt('name'), []);
    m.update({ executor: { ...m.form!.executor, memory: 'lots' } });
    assert.equal(m.problemsAt('executor').length, 1);
    assert.equal(await m.publish(), null);
    assert.equal(m.phase, 'ready');
  });

  it('previews a schedule in words with the next five runs in its zone (across DST)', async () => {
    const m = model();
    await m.load();
    m.setScheduled(true);
    assert.equal(m.form!.schedule!.timeZone, 'Europe/Paris');
    m.updateSchedule({ schedule: '0 6 * * 1-5' });
    const preview = m.preview!;
    assert.equal(preview.error, null);
    assert.equal(
      preview.description,
      'At 06:00, Monday through Friday (Europe/Paris)'
    );
    assert.deepEqual(
      preview.nextRuns.map(r => r.date.toISOString()),
      [
        '2025-03-31T04:00:00.000Z',
        '2025-04-01T04:00:00.000Z',
        '2025-04-02T04:00:00.000Z',
        '2025-04-03T04:00:00.000Z',
        '2025-04-04T04:00:00.000Z'
      ]
    );
    assert.match(preview.nextRuns[0].label, /Mon.*31 Mar 2025.*06:00/);
    m.updateSchedule({ timeZone: 'America/New_York' });
    assert.equal(
      m.preview!.nextRuns[0].date.toISOString(),
      '2025-03-31T10:00:00.000Z'
    );
  });

  it('puts a bad cron and a bad zone at the schedule fields, with the reason', async () => {
    const m = model();
    await m.load();
    m.updateSchedule({ schedule: '0 25 * * *' });
    assert.match(m.problemsAt('schedule')[0], /hour field "25"/);
    assert.deepEqual(m.preview!.nextRuns, []);
    m.updateSchedule({ schedule: '0 6 * * *', timeZone: 'Mars/Olympus' });
    assert.deepEqual(m.problemsAt('schedule'), []);
    assert.match(m.problemsAt('timeZone')[0], /"Mars\/Olympus" is not a known/);
    m.updateSchedule({ timeZone: 'Paris' });
    assert.match(m.problemsAt('timeZone')[0], /not an IANA zone/);
    m.setScheduled(false);
    assert.deepEqual(m.problems, []);
    // The draft is kept while the schedule is off.
    m.setScheduled(true);
    assert.equal(m.form!.schedule!.timeZone, 'Paris');
  });

  it('refuses a schedule for the Apache operator at the schedule field', async () => {
    const m = model();
    await m.load();
    m.update({ operator: 'apache' });
    m.setScheduled(true);
    assert.match(m.problemsAt('schedule').join(' '), /no schedules/);
  });

  it('saves unsaved edits before publishing and publishes what was in the editor', async () => {
    const client = new FakeClient();
    const notebook = new FakeNotebook();
    const m = model(client, notebook);
    await m.load();
    notebook.edit("print('unsaved edit')");
    assert.equal(m.dirty, true);
    m.setParameter('day', 'fri');
    m.setScheduled(true);
    m.updateSchedule({ schedule: '0 6 * * 1-5' });
    client.answers.push({
      application: {
        kind: 'ScheduledSparkApplication',
        name: m.form!.name,
        namespace: 'lab'
      },
      created: true
    });
    const outcome = await m.publish();
    assert.equal(outcome!.created, true);
    assert.equal(notebook.saves, 1);
    assert.equal(notebook.dirty, false);
    assert.equal(
      notebook.saved.some(c => c.source.includes('unsaved edit')),
      true
    );
    const [configMap, app] = client.requests[0].objects as any[];
    assert.equal(configMap.kind, 'ConfigMap');
    assert.match(JSON.stringify(configMap.data), /unsaved edit/);
    assert.equal(app.kind, 'ScheduledSparkApplication');
    assert.equal(app.spec.timeZone, 'Europe/Paris');
    assert.equal(app.spec.schedule, '0 6 * * 1-5');
    assert.deepEqual(app.spec.template.arguments, ['--day', 'fri']);
    assert.equal(client.requests[0].force, false);
  });

  it('exports exactly the YAML Publish applies (the core build for the same inputs)', async () => {
    const notebook = new FakeNotebook();
    const m = model(new FakeClient(), notebook);
    await m.load();
    m.setParameter('day', 'tue');
    const exported = await m.exportYaml();
    const direct = await buildPublication(
      await notebook.source({ save: false }),
      m.form!
    );
    assert.ok('publication' in direct);
    assert.equal(exported!.yaml, direct.publication.yaml);
    assert.deepEqual((exported!.application as any).spec.arguments, [
      '--day',
      'tue'
    ]);
  });

  it('lists secret references the notebook reads (never values), and a missing key', async () => {
    const notebook = new FakeNotebook();
    notebook.cells.push({
      cell_type: 'code',
      source:
        "pw = dbutils.secrets.get('prod-db', 'password')\nuser = dbutils.secrets.get(scope='prod-db', key='user')",
      metadata: {}
    });
    const m = model(new FakeClient(), notebook);
    await m.load();
    assert.deepEqual(
      m.secrets.map(s => [s.scope, s.secret, s.key, s.env, s.missing]),
      [
        [
          'prod-db',
          'warehouse',
          'password',
          'SPARK_K8S_SECRET_PROD_DB_PASSWORD',
          undefined
        ],
        [
          'prod-db',
          'warehouse',
          'user',
          'SPARK_K8S_SECRET_PROD_DB_USER',
          'Secret "warehouse" has no key "user"'
        ]
      ]
    );
    const exported = (await m.exportYaml())!;
    const refs = JSON.stringify(exported.application);
    assert.ok(
      refs.includes(
        '{"name":"SPARK_K8S_SECRET_PROD_DB_PASSWORD","valueFrom":{"secretKeyRef":{"name":"warehouse","key":"password"}}}'
      )
    );
  });

  it('reports a conflict with the other manager, and Take over publishes with force', async () => {
    const client = new FakeClient();
    const m = model(client);
    await m.load();
    client.answers.push(
      Object.assign(new Error('Apply conflicts with another manager.'), {
        code: 'Conflict',
        conflicts: [{ field: '.spec.image', manager: 'argocd-controller' }]
      })
    );
    assert.equal(await m.publish(), null);
    assert.deepEqual(m.conflict!.fields, [
      { field: '.spec.image', manager: 'argocd-controller' }
    ]);
    assert.equal(m.error, null);
    const outcome = await m.takeOver();
    assert.ok(outcome);
    assert.equal(client.requests[1].force, true);
    assert.equal(m.conflict, null);
  });

  it('shows a service error with its hint once', async () => {
    const client = new FakeClient();
    const m = model(client);
    await m.load();
    const hint = 'Add the Role in deploy/rbac.yaml.';
    client.answers.push(
      Object.assign(new Error(`Forbidden to create configmaps. ${hint}`), {
        code: 'Forbidden',
        hint
      })
    );
    assert.equal(await m.publish(), null);
    assert.deepEqual(m.error, {
      code: 'Forbidden',
      message: 'Forbidden to create configmaps.',
      hint
    });
  });

  it('reports a broken %run closure at the notebook, not as a crash', async () => {
    const notebook = new FakeNotebook();
    notebook.cells.push({
      cell_type: 'code',
      source: '%run ./missing',
      metadata: {}
    });
    const m = model(new FakeClient(), notebook);
    await m.load();
    assert.equal(await m.exportYaml(), null);
    assert.match(m.problemsAt('notebook').join(' '), /missing/);
  });

  it('saves the YAML beside the notebook, and asks before replacing a file', async () => {
    const m = model();
    await m.load();
    const written = new Map<string, string>([
      [`team/${m.form!.name}.yaml`, 'old']
    ]);
    const files = {
      exists: async (path: string) => written.has(path),
      save: async (path: string, text: string) => {
        written.set(path, text);
      }
    };
    const asked: string[] = [];
    assert.equal(
      await m.saveYaml(files, async path => {
        asked.push(path);
        return false;
      }),
      null
    );
    assert.equal(written.get(`team/${m.form!.name}.yaml`), 'old');
    assert.deepEqual(asked, [`team/${m.form!.name}.yaml`]);
    const path = await m.saveYaml(files, async () => true);
    assert.equal(path, `team/${m.form!.name}.yaml`);
    assert.equal(written.get(path!), m.exported!.yaml);
  });

  it('parses extra conf, node selector and tolerations lines, with problems by line', async () => {
    const m = model();
    await m.load();
    m.setText('sparkConf', 'spark.sql.shuffle.partitions=8\n# comment\n');
    m.setText('nodeSelector', 'pool=spark');
    m.setText('tolerations', 'spark=true:NoSchedule\ngpu');
    assert.deepEqual(m.form!.sparkConf, {
      'spark.sql.shuffle.partitions': '8'
    });
    assert.deepEqual(m.form!.nodeSelector, { pool: 'spark' });
    assert.deepEqual(m.form!.tolerations, [
      { key: 'spark', operator: 'Equal', value: 'true', effect: 'NoSchedule' },
      { key: 'gpu', operator: 'Exists' }
    ]);
    m.setText('nodeSelector', 'pool');
    assert.match(
      m.problemsAt('nodeSelector')[0],
      /Line 1 "pool" is not key=value/
    );
    assert.deepEqual(parsePairs('a=b=c').value, { a: 'b=c' });
    assert.match(
      parseTolerations('k=v:Sometimes').problems[0],
      /effect "Sometimes"/
    );
  });
});

describe('schedulePreview', () => {
  it('gives cron-parser\u2019s reason for what the 5-field check lets through', () => {
    const p = schedulePreview(
      '0 6 30 2 *',
      'UTC',
      new Date('2025-01-01T00:00:00Z')
    );
    assert.equal(p.nextRuns.length, 0);
    assert.ok(p.error);
  });
});

describe('conflictsOf', () => {
  it('reads the conflicts of a 409, and nothing from other errors', () => {
    assert.deepEqual(
      conflictsOf({
        code: 'Conflict',
        conflicts: [{ field: '.spec.image', manager: 'kubectl' }]
      }),
      [{ field: '.spec.image', manager: 'kubectl' }]
    );
    assert.equal(conflictsOf({ code: 'Forbidden' }), null);
  });
});
