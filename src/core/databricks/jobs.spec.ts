import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCron, validateName } from '../manifests';
import type { IPublishForm } from '../publish/types';
import { convertDatabricksJob, IJobConversion } from './jobs';

/** The caller's defaults (as publishDefaults would fill them). */
const BASE: IPublishForm = {
  name: 'placeholder',
  operator: 'kubeflow',
  namespace: 'team-a',
  image: 'apache/spark:4.0.1-python3',
  sparkVersion: '4.0.1',
  serviceAccount: 'spark-driver',
  driver: { cores: 1, memory: '2g' },
  executor: { cores: 2, memory: '4g', instances: 2 },
  restartPolicy: { type: 'Never' },
  timeToLiveSeconds: 604800,
  sparkConf: { 'spark.sql.session.timeZone': 'UTC' },
  parameters: {},
  secretScopes: {}
};

function converted(json: unknown, base = BASE): IJobConversion {
  const result = convertDatabricksJob(json, base);
  assert.ok('tasks' in result, JSON.stringify(result));
  return result;
}

function errors(json: unknown, base = BASE): string[] {
  const result = convertDatabricksJob(json, base);
  assert.ok('errors' in result, JSON.stringify(result));
  return result.errors;
}

/** Every warning matches one pattern and every pattern one warning. */
function assertWarnings(warnings: string[], patterns: RegExp[]): void {
  for (const pattern of patterns) {
    assert.ok(
      warnings.some(w => pattern.test(w)),
      `no warning matches ${pattern}:\n${warnings.join('\n')}`
    );
  }
  for (const warning of warnings) {
    assert.ok(
      patterns.some(p => p.test(warning)),
      `unexpected warning: ${warning}`
    );
  }
}

describe('convertDatabricksJob: Quartz schedules', () => {
  const job = (quartz: string) => ({
    name: 'Daily report',
    notebook_task: { notebook_path: '/Shared/report' },
    schedule: { quartz_cron_expression: quartz, timezone_id: 'Europe/Paris' }
  });

  // Quartz (sec min hour dom month dow [year]; dow 1 = Sunday) → 5-field cron.
  const table: Array<[string, string]> = [
    ['0 0 12 * * ?', '0 12 * * *'],
    ['0 30 6 ? * MON-FRI', '30 6 * * MON-FRI'],
    ['0 0 0 ? * 1,7', '0 0 * * 0,6'],
    ['0 0 12 ? * 2-6', '0 12 * * 1-5'],
    ['0 0 12 ? * 2-6/2', '0 12 * * 1-5/2'],
    ['0 0 12 ? * */2', '0 12 * * */2'],
    ['0 0 12 ? * 3/2', '0 12 * * 2/2'],
    ['0 0 12 ? * 1', '0 12 * * 0'],
    ['0 0 12 ? * 7', '0 12 * * 6'],
    ['0 15 10 ? * *', '15 10 * * *'],
    ['0 0/5 14 * * ?', '0/5 14 * * *'],
    ['0 0 8 1,15 * ?', '0 8 1,15 * *'],
    ['0 0 8 ? JAN,JUL MON', '0 8 * JAN,JUL MON'],
    ['0 0 12 * * ? *', '0 12 * * *'],
    ['00 45 23 L-0 * ?', ''],
    ['0 0 22-2 * * ?', '0 22-23,0-2 * * *'],
    ['0 0 9 ? * FRI-MON', '0 9 * * FRI-SAT,SUN-MON'],
    ['0 0 9 ? * 6-2', '0 9 * * 5-6,0-1'],
    ['0 15 10 ? * 6L', ''],
    ['0 0 12 LW * ?', ''],
    ['0 0 12 ? * 2#1', ''],
    ['0 0 12 15W * ?', ''],
    ['*/5 * * * * ?', ''],
    ['30 0 12 * * ?', ''],
    ['0 0 12 * * ? 2027', ''],
    ['0 0 12 ? * 0', ''],
    ['0 0 12 1 * MON', ''],
    ['0 0 12 * *', ''],
    ['0 0 25 * * ?', '']
  ];
  const rejections: Record<string, RegExp> = {
    '00 45 23 L-0 * ?': /day-of-month field "L-0" uses 'L'/,
    '0 15 10 ? * 6L':
      /day-of-week field "6L" uses 'L' \(the last such weekday of the month\)/,
    '0 0 12 LW * ?': /day-of-month field "LW" uses 'L' .* and 'W'/,
    '0 0 12 ? * 2#1': /day-of-week field "2#1" uses '#' \(the nth weekday/,
    '0 0 12 15W * ?': /"15W" uses 'W' \(the nearest weekday\)/,
    '*/5 * * * * ?': /seconds field is "\*\/5": sub-minute/,
    '30 0 12 * * ?': /seconds field is "30": sub-minute/,
    '0 0 12 * * ? 2027': /year field is "2027"/,
    '0 0 12 ? * 0': /0 is outside 1–7 \(Quartz counts 1 = Sunday\)/,
    '0 0 12 1 * MON': /Both day-of-month "1" and day-of-week "MON"/,
    '0 0 12 * *': /6 or 7 fields/,
    '0 0 25 * * ?': /hour field "25"/
  };
  assert.ok(table.length >= 25);
  for (const [quartz, cron] of table) {
    if (cron) {
      it(`${quartz} → ${cron}`, () => {
        const [task] = converted(job(quartz)).tasks;
        assert.equal(task.form.schedule?.schedule, cron);
        assert.equal(task.form.schedule?.timeZone, 'Europe/Paris');
        assert.equal(validateCron(cron), null);
      });
    } else {
      it(`${quartz} is rejected, naming the field`, () => {
        const [message, ...rest] = errors(job(quartz));
        assert.deepEqual(rest, []);
        assert.match(message, /^schedule\.quartz_cron_expression: /);
        assert.match(message, rejections[quartz]);
      });
    }
  }

  it('PAUSED → suspend, max_concurrent_runs → concurrency policy', () => {
    const cases: Array<[unknown, number | undefined, boolean, string]> = [
      ['PAUSED', 1, true, 'Forbid'],
      ['UNPAUSED', 1, false, 'Forbid'],
      [undefined, undefined, false, 'Forbid'],
      [undefined, 3, false, 'Allow'],
      ['UNPAUSED', 0, true, 'Forbid']
    ];
    for (const [pause, runs, suspend, policy] of cases) {
      const j = job('0 0 6 * * ?') as Record<string, unknown>;
      (j.schedule as Record<string, unknown>).pause_status = pause;
      j.max_concurrent_runs = runs;
      const [task] = converted(j).tasks;
      assert.equal(task.form.schedule?.suspend, suspend, String(pause));
      assert.equal(task.form.schedule?.concurrencyPolicy, policy);
    }
  });

  it('rejects a zone that is not IANA and an unknown pause status', () => {
    const j = job('0 0 6 * * ?');
    j.schedule.timezone_id = 'CET+1';
    assert.match(errors(j)[0], /^schedule\.timezone_id: .*not an IANA zone/);
    const k = job('0 0 6 * * ?') as Record<string, unknown>;
    (k.schedule as Record<string, unknown>).pause_status = 'STOPPED';
    assert.match(errors(k)[0], /schedule\.pause_status "STOPPED"/);
  });
});

/** One row: a Databricks job, what its forms must hold, and the warnings. */
interface IJobRow {
  title: string;
  job: unknown;
  options?: Parameters<typeof convertDatabricksJob>[2];
  tasks: Array<{
    taskKey: string;
    notebookPath: string;
    name: RegExp;
    form: Partial<IPublishForm>;
  }>;
  warnings: RegExp[];
}

const NIGHTLY_20 = {
  name: 'Nightly ETL',
  new_cluster: {
    spark_version: '13.3.x-scala2.12',
    node_type_id: 'i3.xlarge',
    num_workers: 4,
    spark_conf: {
      'spark.sql.shuffle.partitions': 64,
      'spark.databricks.delta.preview.enabled': 'true'
    }
  },
  notebook_task: {
    notebook_path: '/Users/ana@example.com/etl',
    base_parameters: { date: '2024-01-01', limit: 10 }
  },
  max_retries: 2,
  min_retry_interval_millis: 90500,
  timeout_seconds: 3600,
  email_notifications: { on_failure: ['ana@example.com'] },
  schedule: {
    quartz_cron_expression: '0 0 2 * * ?',
    timezone_id: 'America/New_York',
    pause_status: 'UNPAUSED'
  },
  max_concurrent_runs: 1
};

const MULTI_21 = {
  job_id: 123,
  creator_user_name: 'ana@example.com',
  created_time: 1700000000000,
  settings: {
    name: 'Sales pipeline',
    format: 'MULTI_TASK',
    email_notifications: {},
    webhook_notifications: {},
    timeout_seconds: 0,
    max_concurrent_runs: 1,
    parameters: [
      { name: 'env', default: 'prod' },
      { name: 'day', default: '{{job.start_time.iso_date}}' }
    ],
    job_clusters: [
      {
        job_cluster_key: 'shared',
        new_cluster: {
          spark_version: '14.3.x-scala2.12',
          autoscale: { min_workers: 2, max_workers: 8 },
          spark_env_vars: {
            PYSPARK_PYTHON: '/databricks/python3/bin/python3',
            STAGE: 'prod',
            DB_PASSWORD: '{{secrets/sales/db-password}}'
          },
          init_scripts: [{ workspace: { destination: '/init/setup.sh' } }],
          enable_elastic_disk: true,
          runtime_engine: 'PHOTON'
        }
      }
    ],
    tasks: [
      {
        task_key: 'ingest',
        job_cluster_key: 'shared',
        notebook_task: {
          notebook_path: '/Repos/team/etl/ingest',
          base_parameters: { env: 'dev', source: 's3://raw' }
        },
        libraries: [{ pypi: { package: 'requests==2.31.0' } }],
        max_retries: 0
      },
      {
        task_key: 'transform',
        depends_on: [{ task_key: 'ingest' }],
        job_cluster_key: 'shared',
        notebook_task: { notebook_path: '/Repos/team/etl/transform' },
        run_if: 'ALL_SUCCESS'
      },
      {
        task_key: 'publish',
        depends_on: [{ task_key: 'transform' }],
        existing_cluster_id: '0923-164208-meows279',
        notebook_task: { notebook_path: '/Repos/team/etl/publish' }
      },
      {
        task_key: 'notify',
        depends_on: [{ task_key: 'publish' }],
        spark_python_task: { python_file: 'dbfs:/scripts/notify.py' }
      }
    ]
  }
};

const ROWS: IJobRow[] = [
  {
    title: 'Jobs 2.0: one notebook task, fixed workers, retries, schedule',
    job: NIGHTLY_20,
    tasks: [
      {
        taskKey: 'Nightly ETL',
        notebookPath: '/Users/ana@example.com/etl',
        name: /^nightly-etl-[0-9a-f]{6}$/,
        form: {
          parameters: { date: '2024-01-01', limit: '10' },
          executor: { cores: 2, memory: '4g', instances: 4 },
          sparkConf: {
            'spark.sql.session.timeZone': 'UTC',
            'spark.sql.shuffle.partitions': '64'
          },
          restartPolicy: {
            type: 'OnFailure',
            retries: 2,
            retryIntervalSeconds: 91
          },
          schedule: {
            schedule: '0 2 * * *',
            timeZone: 'America/New_York',
            concurrencyPolicy: 'Forbid',
            suspend: false
          }
        }
      }
    ],
    warnings: [
      /^new_cluster\.spark_conf "spark\.databricks\.delta\.preview\.enabled" is Databricks-only/,
      /^new_cluster: node_type_id "i3\.xlarge" has no Kubernetes equivalent: the driver and executors get the default cores and memory \(driver 1 core 2g, executors 2 cores 4g each\)/,
      /^new_cluster\.spark_version "13\.3\.x-scala2\.12" is a Databricks runtime: the application runs Spark 4\.0\.1 from the image apache\/spark:4\.0\.1-python3/,
      /^timeout_seconds is not carried over: the application has no time limit/,
      /^email_notifications is not carried over: nothing sends e-mail/
    ]
  },
  {
    title:
      'Jobs 2.1 {job_id, settings}: job clusters, job parameters, secrets, a DAG, other task types',
    job: MULTI_21,
    tasks: [
      {
        taskKey: 'ingest',
        notebookPath: '/Repos/team/etl/ingest',
        name: /^sales-pipeline-ingest-[0-9a-f]{6}$/,
        form: {
          // Job parameters win over the task's base_parameters.
          parameters: {
            env: 'prod',
            source: 's3://raw',
            day: '{{job.start_time.iso_date}}'
          },
          executor: { cores: 2, memory: '4g', instances: 2 },
          dynamicAllocation: {
            enabled: true,
            minExecutors: 2,
            maxExecutors: 8
          },
          sparkConf: {
            'spark.sql.session.timeZone': 'UTC',
            'spark.kubernetes.driverEnv.STAGE': 'prod',
            'spark.executorEnv.STAGE': 'prod'
          },
          secretScopes: {
            sales: { secret: 'sales', env: { 'db-password': 'DB_PASSWORD' } }
          },
          restartPolicy: { type: 'Never' },
          schedule: undefined
        }
      },
      {
        taskKey: 'transform',
        notebookPath: '/Repos/team/etl/transform',
        name: /^sales-pipeline-transform-[0-9a-f]{6}$/,
        form: {
          parameters: { env: 'prod', day: '{{job.start_time.iso_date}}' },
          dynamicAllocation: {
            enabled: true,
            minExecutors: 2,
            maxExecutors: 8
          },
          secretScopes: {
            sales: { secret: 'sales', env: { 'db-password': 'DB_PASSWORD' } }
          }
        }
      },
      {
        taskKey: 'publish',
        notebookPath: '/Repos/team/etl/publish',
        name: /^sales-pipeline-publish-[0-9a-f]{6}$/,
        form: {
          executor: { cores: 2, memory: '4g', instances: 2 },
          sparkConf: { 'spark.sql.session.timeZone': 'UTC' },
          secretScopes: {}
        }
      }
    ],
    warnings: [
      /^job parameter "day" is "\{\{job\.start_time\.iso_date\}\}", a Databricks value reference: it is passed as this literal text/,
      /^The tasks become separate applications and their dependencies are not kept \("transform" after ingest; "publish" after transform; "notify" after publish\)/,
      /^task "notify": spark_python_task is not converted: only notebook tasks/,
      /^job cluster "shared": new_cluster\.spark_version "14\.3\.x-scala2\.12"/,
      /^job cluster "shared": new_cluster\.spark_env_vars "PYSPARK_PYTHON" points into the Databricks runtime/,
      /^job cluster "shared": new_cluster\.spark_env_vars STAGE is set on the driver and executors through the Spark properties spark\.kubernetes\.driverEnv\.\* and spark\.executorEnv\.\*/,
      /^job cluster "shared": new_cluster\.init_scripts \(1\) are not run/,
      /^job cluster "shared": new_cluster\.runtime_engine is not carried over: Photon/,
      /^task "ingest": libraries are not installed \(pypi requests==2\.31\.0\)/,
      /^task "publish": existing_cluster_id "0923-164208-meows279" cannot be reused: .*driver 1 core 2g, 2 executors of 2 cores 4g/
    ]
  },
  {
    title: 'autoscale → dynamic allocation; num_workers 0 → one executor',
    job: {
      name: 'scale',
      tasks: [
        {
          task_key: 'a',
          notebook_task: { notebook_path: '/a' },
          new_cluster: { autoscale: { min_workers: 0, max_workers: 5 } }
        },
        {
          task_key: 'b',
          notebook_task: { notebook_path: '/b' },
          new_cluster: {
            num_workers: 0,
            spark_conf: {
              'spark.master': 'local[*, 4]',
              'spark.databricks.cluster.profile': 'singleNode'
            },
            custom_tags: { ResourceClass: 'SingleNode' }
          }
        }
      ]
    },
    tasks: [
      {
        taskKey: 'a',
        notebookPath: '/a',
        name: /^scale-a-[0-9a-f]{6}$/,
        form: {
          executor: { cores: 2, memory: '4g', instances: 1 },
          dynamicAllocation: { enabled: true, minExecutors: 0, maxExecutors: 5 }
        }
      },
      {
        taskKey: 'b',
        notebookPath: '/b',
        name: /^scale-b-[0-9a-f]{6}$/,
        form: {
          executor: { cores: 2, memory: '4g', instances: 1 },
          dynamicAllocation: undefined,
          sparkConf: { 'spark.sql.session.timeZone': 'UTC' }
        }
      }
    ],
    warnings: [
      /^task "b": new_cluster\.num_workers is 0 \(a single-node cluster\): the application gets 1 executor/,
      /^task "b": new_cluster\.spark_conf "spark\.master" is left out: the operator sets it/,
      /^task "b": new_cluster\.spark_conf "spark\.databricks\.cluster\.profile" is Databricks-only/,
      /^task "b": new_cluster\.custom_tags is not carried over/
    ]
  },
  {
    title: 'secrets in env: mapped scope, mixed text, one key in two variables',
    job: {
      name: 'secrets',
      notebook_task: { notebook_path: '/s' },
      new_cluster: {
        num_workers: 1,
        spark_env_vars: {
          API_TOKEN: '{{secrets/Prod_API/token}}',
          TOKEN_AGAIN: '{{ secrets/Prod_API/token }}',
          DSN: 'postgres://app:{{secrets/db/pw}}@db/app',
          DB_USER: '{{secrets/db/user}}'
        },
        spark_conf: { 'spark.hadoop.fs.s3a.secret.key': '{{secrets/aws/sk}}' }
      }
    },
    options: { secretNames: { Prod_API: 'prod-api' } },
    tasks: [
      {
        taskKey: 'secrets',
        notebookPath: '/s',
        name: /^secrets-[0-9a-f]{6}$/,
        form: {
          secretScopes: {
            Prod_API: { secret: 'prod-api', env: { token: 'API_TOKEN' } },
            db: { secret: 'db', env: { user: 'DB_USER' } }
          },
          sparkConf: { 'spark.sql.session.timeZone': 'UTC' }
        }
      }
    ],
    warnings: [
      /^new_cluster\.spark_env_vars "TOKEN_AGAIN" reads \{\{secrets\/Prod_API\/token\}\}, which is already in API_TOKEN: "TOKEN_AGAIN" is left out/,
      /^new_cluster\.spark_env_vars "DSN" mixes text with a secret reference/,
      /^new_cluster\.spark_conf "spark\.hadoop\.fs\.s3a\.secret\.key" refers to a secret/
    ]
  },
  {
    title: 'retries: 0 → Never, -1 → warned and the base kept; paused 2.1 job',
    job: {
      name: 'retry',
      schedule: {
        quartz_cron_expression: '0 30 6 ? * MON-FRI',
        timezone_id: 'UTC',
        pause_status: 'PAUSED'
      },
      max_concurrent_runs: 4,
      tasks: [
        {
          task_key: 'zero',
          notebook_task: { notebook_path: '/z' },
          max_retries: 0,
          min_retry_interval_millis: 1000
        },
        {
          task_key: 'forever',
          notebook_task: { notebook_path: '/f' },
          max_retries: -1
        },
        {
          task_key: 'interval-only',
          notebook_task: { notebook_path: '/i' },
          min_retry_interval_millis: 5000,
          retry_on_timeout: true,
          timeout_seconds: 60
        }
      ]
    },
    tasks: [
      {
        taskKey: 'zero',
        notebookPath: '/z',
        name: /^retry-zero-[0-9a-f]{6}$/,
        form: {
          restartPolicy: { type: 'Never' },
          schedule: {
            schedule: '30 6 * * MON-FRI',
            timeZone: 'UTC',
            concurrencyPolicy: 'Allow',
            suspend: true
          }
        }
      },
      {
        taskKey: 'forever',
        notebookPath: '/f',
        name: /^retry-forever-[0-9a-f]{6}$/,
        form: { restartPolicy: { type: 'Never' } }
      },
      {
        taskKey: 'interval-only',
        notebookPath: '/i',
        name: /^retry-interval-only-[0-9a-f]{6}$/,
        form: { restartPolicy: { type: 'Never' } }
      }
    ],
    warnings: [
      /^Task "zero" names no cluster \(serverless\): the application gets the default resources/,
      /^Task "forever" names no cluster/,
      /^Task "interval-only" names no cluster/,
      /^task "forever": max_retries -1 \(retry forever\) has no equivalent/,
      /^task "interval-only": min_retry_interval_millis is not used: the task has no max_retries/,
      /^task "interval-only": retry_on_timeout is not carried over/,
      /^task "interval-only": timeout_seconds is not carried over/
    ]
  },
  {
    title: 'job-level fields that cannot convert are each warned',
    job: {
      name: 'everything',
      git_source: {
        git_url: 'https://github.com/acme/etl',
        git_provider: 'gitHub',
        git_branch: 'main'
      },
      trigger: { file_arrival: { url: 's3://in/' } },
      health: {
        rules: [
          { metric: 'RUN_DURATION_SECONDS', op: 'GREATER_THAN', value: 9 }
        ]
      },
      webhook_notifications: { on_failure: [{ id: 'abc' }] },
      run_as: { service_principal_name: 'sp' },
      tags: { team: 'sales' },
      queue: { enabled: true },
      some_future_field: { x: 1 },
      description: 'A description is not behaviour.',
      tasks: [
        {
          task_key: 'only',
          notebook_task: {
            notebook_path: 'notebooks/only',
            source: 'GIT',
            warehouse_id: 'wh1'
          },
          new_cluster: {
            num_workers: 2,
            cluster_log_conf: { dbfs: { destination: 'dbfs:/logs' } },
            docker_image: { url: 'acme/dbr:1', basic_auth: { password: 'x' } },
            driver_node_type_id: 'r5.large',
            node_type_id: 'r5.large'
          }
        }
      ]
    },
    tasks: [
      {
        taskKey: 'only',
        notebookPath: 'notebooks/only',
        name: /^everything-[0-9a-f]{6}$/,
        form: { executor: { cores: 2, memory: '4g', instances: 2 } }
      }
    ],
    warnings: [
      /^git_source is not fetched: notebook paths resolve against the workspace folder, which should hold a checkout of https:\/\/github\.com\/acme\/etl/,
      /^trigger is not carried over: file-arrival/,
      /^health is not carried over/,
      /^webhook_notifications is not carried over/,
      /^run_as is not carried over/,
      /^tags is not carried over/,
      /^queue is not carried over/,
      /^some_future_field is not carried over\.$/,
      /^task "only": notebook_task\.warehouse_id is not used/,
      /^task "only": new_cluster\.cluster_log_conf is not carried over/,
      /^task "only": new_cluster\.docker_image is not carried over: .*no registry credentials are written/,
      /^task "only": new_cluster: node_type_id "r5\.large", driver_node_type_id "r5\.large" have no Kubernetes equivalent/
    ]
  }
];

describe('convertDatabricksJob: jobs → forms', () => {
  for (const row of ROWS) {
    it(row.title, () => {
      const before = JSON.stringify(BASE);
      const result = convertDatabricksJob(row.job, BASE, row.options);
      assert.ok('tasks' in result, JSON.stringify(result));
      assert.equal(JSON.stringify(BASE), before, 'the base is not changed');
      assert.deepEqual(
        result.tasks.map(t => [t.taskKey, t.notebookPath]),
        row.tasks.map(t => [t.taskKey, t.notebookPath])
      );
      result.tasks.forEach((task, i) => {
        const want = row.tasks[i];
        assert.match(task.form.name, want.name);
        const limit = task.form.schedule ? 36 : 50;
        assert.equal(validateName(task.form.name, limit), null);
        for (const [field, value] of Object.entries(want.form)) {
          assert.deepEqual(
            task.form[field as keyof IPublishForm],
            value,
            `${task.taskKey}: ${field}`
          );
        }
        // What the job does not say comes from the base.
        assert.equal(task.form.namespace, 'team-a');
        assert.equal(task.form.image, BASE.image);
        assert.deepEqual(task.form.driver, BASE.driver);
      });
      assertWarnings(result.warnings, row.warnings);
      // Secret references only: no form holds a {{secrets/…}} text.
      assert.doesNotMatch(
        JSON.stringify(result.tasks.map(t => t.form)),
        /secrets\//
      );
      // Deterministic.
      assert.deepEqual(
        convertDatabricksJob(row.job, BASE, row.options),
        result
      );
    });
  }

  it('Databricks defaults (empty notifications, timeout 0, format) warn of nothing', () => {
    const result = converted({
      job_id: 7,
      settings: {
        name: 'quiet',
        email_notifications: {},
        webhook_notifications: {},
        notification_settings: {
          no_alert_for_skipped_runs: false,
          no_alert_for_canceled_runs: false
        },
        timeout_seconds: 0,
        format: 'SINGLE_TASK',
        max_concurrent_runs: 1,
        tasks: [
          {
            task_key: 'quiet',
            notebook_task: { notebook_path: '/q', source: 'WORKSPACE' },
            new_cluster: {
              num_workers: 2,
              enable_elastic_disk: true,
              runtime_engine: 'STANDARD',
              data_security_mode: 'NONE',
              spark_conf: {},
              spark_env_vars: {}
            },
            run_if: 'ALL_SUCCESS',
            timeout_seconds: 0,
            email_notifications: {}
          }
        ]
      }
    });
    assert.deepEqual(result.warnings, []);
    // One task: named after the job only.
    assert.match(result.tasks[0].form.name, /^quiet-[0-9a-f]{6}$/);
  });

  it('keeps a base mapping of a scope and replaces its variable name', () => {
    const base: IPublishForm = {
      ...BASE,
      secretScopes: {
        sales: {
          secret: 'sales-k8s',
          env: { other: 'SPARK_K8S_SECRET_SALES_OTHER', pw: 'X' }
        }
      }
    };
    const [task] = converted(
      {
        name: 'm',
        notebook_task: { notebook_path: '/m' },
        new_cluster: { spark_env_vars: { PW: '{{secrets/sales/pw}}' } }
      },
      base
    ).tasks;
    assert.deepEqual(task.form.secretScopes, {
      sales: {
        secret: 'sales-k8s',
        env: { other: 'SPARK_K8S_SECRET_SALES_OTHER', pw: 'PW' }
      }
    });
  });

  it('names stay valid within the limits, scheduled or not', () => {
    const long =
      'Quarterly Revenue Reconciliation for EMEA & APAC (v2.1)/final';
    const once = converted({
      name: long,
      notebook_task: { notebook_path: '/x' }
    }).tasks[0].form.name;
    const scheduled = converted({
      name: long,
      notebook_task: { notebook_path: '/x' },
      schedule: { quartz_cron_expression: '0 0 1 * * ?', timezone_id: 'UTC' }
    }).tasks[0].form.name;
    assert.equal(validateName(once, 50), null, once);
    assert.equal(validateName(scheduled, 36), null, scheduled);
    assert.ok(once.length <= 50 && once.length > 36, once);
    assert.ok(scheduled.length <= 36, scheduled);
    assert.match(once, /^quarterly-revenue-reconciliation-for-emea/);
    const digits = converted({
      name: '2024 backfill',
      notebook_task: { notebook_path: '/x' }
    }).tasks[0].form.name;
    assert.equal(validateName(digits), null, digits);
    const unnamed = converted({
      job_id: 42,
      settings: { notebook_task: { notebook_path: '/x' } }
    }).tasks[0].form.name;
    assert.match(unnamed, /^job-42-[0-9a-f]{6}$/);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', [1, 2], /must be a JSON object/],
    ['a list of jobs', { jobs: [{}, {}] }, /list of 2 jobs; convert one job/],
    [
      'no task at all',
      { name: 'x' },
      /no tasks: expected "tasks" \(Jobs 2\.1\) or a top-level "notebook_task"/
    ],
    [
      'settings not an object',
      { job_id: 1, settings: 'x' },
      /"settings" must be an object/
    ],
    [
      'a task without notebook_path',
      { tasks: [{ task_key: 't', notebook_task: {} }] },
      /^task "t": notebook_task\.notebook_path is missing/
    ],
    [
      'a task without task_key',
      { tasks: [{ notebook_task: { notebook_path: '/a' } }] },
      /^tasks\[0\]\.task_key is missing/
    ],
    [
      'an unknown job cluster',
      {
        job_clusters: [{ job_cluster_key: 'big', new_cluster: {} }],
        tasks: [
          {
            task_key: 't',
            job_cluster_key: 'small',
            notebook_task: { notebook_path: '/a' }
          }
        ]
      },
      /^task "t": job_cluster_key "small" names no cluster in job_clusters \(there are "big"\)/
    ],
    [
      'bad num_workers',
      {
        notebook_task: { notebook_path: '/a' },
        new_cluster: { num_workers: -1 }
      },
      /^new_cluster\.num_workers -1 must be a whole number of at least 0/
    ],
    [
      'autoscale min above max',
      {
        notebook_task: { notebook_path: '/a' },
        new_cluster: { autoscale: { min_workers: 5, max_workers: 2 } }
      },
      /^new_cluster\.autoscale must have whole numbers min_workers ≤ max_workers/
    ],
    [
      'a scope that is no Secret name',
      {
        notebook_task: { notebook_path: '/a' },
        new_cluster: { spark_env_vars: { T: '{{secrets/Prod_DB/t}}' } }
      },
      /^new_cluster\.spark_env_vars "T" reads secret scope "Prod_DB", which maps to no valid Kubernetes Secret .*: map the scope to a Secret/
    ],
    [
      'an env var name that is not one',
      {
        notebook_task: { notebook_path: '/a' },
        new_cluster: { spark_env_vars: { '1BAD': 'x' } }
      },
      /^new_cluster\.spark_env_vars: environment variable "1BAD"/
    ],
    [
      'bad max_retries',
      { notebook_task: { notebook_path: '/a' }, max_retries: 'twice' },
      /^max_retries "twice" must be a whole number/
    ],
    [
      'only non-notebook tasks',
      {
        tasks: [{ task_key: 'py', spark_python_task: { python_file: 'a.py' } }]
      },
      /^The job has no notebook task to convert\. task "py": spark_python_task is not converted/
    ],
    [
      'a parameter that is an object',
      {
        notebook_task: {
          notebook_path: '/a',
          base_parameters: { x: { nested: 1 } }
        }
      },
      /^notebook_task\.base_parameters "x" must be text, a number or a boolean/
    ]
  ];
  for (const [title, job, pattern] of bad) {
    it(`errors: ${title}`, () => {
      const found = errors(job);
      assert.ok(
        found.some(e => pattern.test(e)),
        `no error matches ${pattern}:\n${found.join('\n')}`
      );
    });
  }
});

describe('convertDatabricksJob: spark.databricks.* migration help', () => {
  const job = {
    name: 'lake',
    notebook_task: { notebook_path: '/lake' },
    new_cluster: {
      num_workers: 2,
      spark_conf: {
        'spark.databricks.delta.schema.autoMerge.enabled': 'true',
        'spark.databricks.delta.preview.enabled': 'true',
        'spark.databricks.io.cache.enabled': 'true',
        'spark.databricks.sql.initial.catalog.name': 'main',
        'spark.databricks.delta.x': '{{secrets/s/k}}',
        'spark.databricks.zzz': '1'
      }
    }
  };
  const rest = [
    /^new_cluster\.spark_conf "spark\.databricks\.delta\.preview\.enabled" is Databricks-only and is left out: it turns on Databricks Runtime preview features/,
    /^new_cluster\.spark_conf "spark\.databricks\.io\.cache\.enabled" is Databricks-only and is left out: the Databricks disk cache .* has no open-source equivalent; cache what you reuse with df\.cache\(\) or CACHE TABLE/,
    /^new_cluster\.spark_conf "spark\.databricks\.sql\.initial\.catalog\.name" is Databricks-only and is left out: spark\.sql\.defaultCatalog, naming a catalog the profile configures/,
    /^new_cluster\.spark_conf "spark\.databricks\.zzz" is Databricks-only and is left out: only Databricks Runtime reads it/
  ];

  it('names the nearest equivalent of each key it leaves out', () => {
    const result = converted(job);
    assert.deepEqual(result.tasks[0].form.sparkConf, {
      'spark.sql.session.timeZone': 'UTC'
    });
    assertWarnings(result.warnings, [
      /^new_cluster\.spark_conf "spark\.databricks\.delta\.schema\.autoMerge\.enabled" is Databricks-only and is left out: open-source Delta Lake reads its own spark\.databricks\.delta\.\* keys too; it takes effect with the Delta preset \(or Delta jars in the image\)/,
      /^new_cluster\.spark_conf "spark\.databricks\.delta\.x" is Databricks-only and is left out: open-source Delta/,
      ...rest
    ]);
  });

  it('carries Delta keys over to an application with the Delta preset', () => {
    const result = converted(job, { ...BASE, storage: { delta: true } });
    assert.deepEqual(result.tasks[0].form.sparkConf, {
      'spark.sql.session.timeZone': 'UTC',
      'spark.databricks.delta.schema.autoMerge.enabled': 'true'
    });
    assertWarnings(result.warnings, [
      /^new_cluster\.spark_conf "spark\.databricks\.delta\.schema\.autoMerge\.enabled" is carried over: open-source Delta Lake reads its own/,
      /^new_cluster\.spark_conf "spark\.databricks\.delta\.x" refers to a secret, which Spark properties cannot hold here: it is left out/,
      ...rest
    ]);
  });
});
