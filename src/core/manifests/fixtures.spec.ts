// Shared test fixtures: a sample job spec and a checker of manifests against
// the real CRD schemas in ../shared/crds. (The .spec.ts suffix keeps this
// Node-only file out of the library build; it declares no tests.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import type { IJobSpec, IScheduleSpec } from './types';

/** A complete, valid job spec; override fields per test. */
export function sampleSpec(overrides: Partial<IJobSpec> = {}): IJobSpec {
  return {
    name: 'etl-daily-3fa9c1',
    namespace: 'alice',
    image: 'ghcr.io/example/spark-py:4.0.1',
    imagePullPolicy: 'IfNotPresent',
    sparkVersion: '4.0.1',
    pythonVersion: '3',
    mainFile: 'job.py',
    configMapName: 'etl-daily-3fa9c1-0123456789',
    runtimeArchivePath: 'runtime.zip',
    arguments: ['--widget', 'date=2024-01-01', 'yes', 'a: b # c'],
    driver: {
      cores: 1,
      memory: '2g',
      memoryOverhead: '512m',
      coreRequest: '500m',
      coreLimit: '2'
    },
    executor: { cores: 2, memory: '4Gi', instances: 2 },
    dynamicAllocation: { enabled: true, minExecutors: 1, maxExecutors: 5 },
    restartPolicy: { type: 'OnFailure', retries: 2, retryIntervalSeconds: 30 },
    timeToLiveSeconds: 86400,
    sparkConf: {
      'spark.sql.shuffle.partitions': '64',
      'spark.app.note': 'it\'s "quoted"\nand: multi-line # yes'
    },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [
      { key: 'spark', operator: 'Equal', value: 'true', effect: 'NoSchedule' }
    ],
    serviceAccount: 'spark',
    source: {
      notebookPath: 'Team Folder/ETL daily.ipynb',
      contentHash: 'ab'.repeat(32),
      owner: 'alice@example.com'
    },
    secretEnv: [
      { env: 'DB_PASSWORD', secret: 'db-creds', key: 'password' },
      { env: 'S3_KEY', secret: 's3', key: 'access-key', executors: true }
    ],
    ...overrides
  };
}

/** A valid schedule. */
export function sampleSchedule(
  overrides: Partial<IScheduleSpec> = {}
): IScheduleSpec {
  return {
    schedule: '30 6 * * MON-FRI',
    timeZone: 'Europe/Paris',
    concurrencyPolicy: 'Forbid',
    suspend: false,
    successfulRunHistoryLimit: 3,
    failedRunHistoryLimit: 5,
    ...overrides
  };
}

/** The directory holding the CRDs (../shared/crds beside the repository). */
export function crdDir(): string {
  const candidates = [
    path.resolve(__dirname, '../../../../../shared/crds'),
    path.resolve(process.cwd(), '../shared/crds')
  ];
  const found = candidates.find(dir => fs.existsSync(dir));
  if (!found) {
    throw new Error(`CRDs not found in ${candidates.join(' or ')}`);
  }
  return found;
}

/** A JSON schema node as CRDs write them. */
export interface ISchema {
  type?: string;
  properties?: { [key: string]: ISchema };
  additionalProperties?: ISchema | boolean;
  items?: ISchema;
  required?: string[];
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

const cache = new Map<string, ISchema>();

/** The openAPIV3Schema of a CRD file's version. */
export function crdSchema(file: string, version: string): ISchema {
  const key = `${file}@${version}`;
  let schema = cache.get(key);
  if (!schema) {
    const doc = yaml.load(
      fs.readFileSync(path.join(crdDir(), file), 'utf8')
    ) as {
      spec: {
        versions: Array<{ name: string; schema: { openAPIV3Schema: ISchema } }>;
      };
    };
    const v = doc.spec.versions.find(item => item.name === version);
    if (!v) {
      throw new Error(`${file} has no version ${version}`);
    }
    schema = v.schema.openAPIV3Schema;
    cache.set(key, schema);
  }
  return schema;
}

/** The CRD files. */
export const CRDS = {
  kubeflowApp: 'kubeflow-v2.5.2-sparkoperator.k8s.io_sparkapplications.yaml',
  kubeflowScheduled:
    'kubeflow-v2.5.2-sparkoperator.k8s.io_scheduledsparkapplications.yaml',
  apacheApp: 'apache-1.0.0-sparkapplications.spark.apache.org-v1.yaml'
};

const METADATA_KEYS = ['name', 'namespace', 'labels', 'annotations'];

/**
 * Every key path of a manifest the schema does not declare, every type or
 * enum mismatch and every missing required field. Subtrees the schema leaves
 * open (`x-kubernetes-preserve-unknown-fields`) are not entered.
 */
export function schemaProblems(
  value: unknown,
  schema: ISchema,
  at = ''
): string[] {
  const problems: string[] = [];
  walk(value, schema, at, problems);
  return problems;
}

function walk(
  value: unknown,
  schema: ISchema,
  at: string,
  out: string[]
): void {
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) {
      out.push(`${at}: expected int or string`);
    }
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) {
    out.push(
      `${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`
    );
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') {
        out.push(`${at}: expected a string`);
      }
      return;
    case 'integer':
      if (!Number.isInteger(value)) {
        out.push(`${at}: expected an integer`);
      }
      return;
    case 'number':
      if (typeof value !== 'number') {
        out.push(`${at}: expected a number`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') {
        out.push(`${at}: expected a boolean`);
      }
      return;
    case 'array':
      if (!Array.isArray(value)) {
        out.push(`${at}: expected an array`);
        return;
      }
      value.forEach((item, i) =>
        walk(item, schema.items || {}, `${at}[${i}]`, out)
      );
      return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.push(`${at}: expected an object`);
    return;
  }
  const record = value as { [key: string]: unknown };
  for (const key of schema.required || []) {
    if (!(key in record)) {
      out.push(`${at}.${key}: required but missing`);
    }
  }
  for (const key of Object.keys(record)) {
    const where = at ? `${at}.${key}` : key;
    if (schema.properties && schema.properties[key]) {
      walk(record[key], schema.properties[key], where, out);
    } else if (at === '' && ['apiVersion', 'kind', 'metadata'].includes(key)) {
      // Some CRDs leave the envelope out of their schema.
      if (key === 'metadata') {
        walk(record[key], { type: 'object' }, where, out);
      } else if (typeof record[key] !== 'string') {
        out.push(`${where}: expected a string`);
      }
    } else if (schema.properties) {
      out.push(`${where}: not declared in the CRD`);
    } else if (typeof schema.additionalProperties === 'object') {
      walk(record[key], schema.additionalProperties, where, out);
    } else if (where === 'metadata' || at === 'metadata') {
      // ObjectMeta is not spelled out in CRDs; checked by name below.
    } else if (!schema['x-kubernetes-preserve-unknown-fields']) {
      out.push(`${where}: the CRD declares no fields here`);
    }
  }
  if (at === 'metadata') {
    for (const key of Object.keys(record)) {
      if (!METADATA_KEYS.includes(key)) {
        out.push(`metadata.${key}: unexpected`);
      }
    }
  }
}
