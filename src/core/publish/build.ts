/**
 * A notebook as the objects that publish it: the job ConfigMap (its script
 * and the runtime archive, named by content hash) and the SparkApplication
 * or ScheduledSparkApplication that runs it. Pure and deterministic: the
 * same notebook and form give byte-identical YAML, in the dialog, the
 * service's input and the CLI alike.
 */
import {
  JOB_ENV,
  RUNTIME_ARCHIVE_BASE64,
  RUNTIME_MODULE,
  SECRET_ENV_PREFIX
} from '../kernel';
import {
  base64Decode,
  buildApplication,
  buildJobConfigMap,
  jobAnnotations,
  jobContentHash,
  jobLabels,
  toYaml
} from '../manifests';
import type { IEnvVar, IJobSpec, ISecretEnv, Operator } from '../manifests';
import { notebookJobScript } from '../script/job';
import contract from '../kernel/contract.json';
import { AUTHENTICATION_CONF } from '../session/conf';
import { databricksConfWarnings } from '../session/migration';
import { storageConf } from '../session/storage';
import type {
  IPublishForm,
  IPublishProblem,
  IPublishSource,
  PublishResult
} from './types';
import { validatePublishForm } from './validate';

/** File name of the job script in the ConfigMap. */
export const JOB_SCRIPT_FILE = 'job.py';

/** File name of the runtime archive in the ConfigMap (passed as --py-files). */
export const RUNTIME_ARCHIVE_FILE = `${RUNTIME_MODULE}.zip`;

/** Where, under the run output location, Spark writes its event logs. */
export const EVENT_LOG_FOLDER = 'event-logs';

// The label each operator puts on a run's driver pod naming the run's
// application (a scheduled run's name carries its timestamp).
const RUN_NAME_FIELD: Record<Operator, string> = {
  kubeflow: "metadata.labels['sparkoperator.k8s.io/app-name']",
  apache: "metadata.labels['spark.operator/spark-app-name']"
};

let runtimeBytes: Uint8Array | null = null;

/** The runtime archive, decoded once. */
function runtimeArchive(): Uint8Array {
  if (!runtimeBytes) {
    runtimeBytes = base64Decode(RUNTIME_ARCHIVE_BASE64);
  }
  return runtimeBytes;
}

/** `--name value` pairs in name order (the order never depends on the form's). */
export function parameterArguments(parameters: {
  [name: string]: string;
}): string[] {
  return Object.keys(parameters)
    .sort()
    .flatMap(name => [`--${name}`, parameters[name]]);
}

/** Each secret key the job may read, as a `secretKeyRef` (driver and executors). */
export function secretReferences(
  scopes: IPublishForm['secretScopes']
): ISecretEnv[] {
  const refs: ISecretEnv[] = [];
  for (const scope of Object.keys(scopes ?? {})) {
    const { secret, env } = scopes[scope];
    for (const key of Object.keys(env ?? {})) {
      refs.push({ env: env[key], secret, key, executors: true });
    }
  }
  return refs.sort((a, b) => (a.env < b.env ? -1 : a.env > b.env ? 1 : 0));
}

function driverEnv(form: IPublishForm): IEnvVar[] {
  const env: IEnvVar[] = [
    { name: JOB_ENV.job, value: '1' },
    { name: JOB_ENV.jobId, value: form.name },
    { name: JOB_ENV.runId, fieldPath: RUN_NAME_FIELD[form.operator] }
  ];
  if (form.runOutput) {
    env.push({ name: JOB_ENV.runOutput, value: form.runOutput });
  }
  return env;
}

/**
 * The bucket credentials of the storage presets as `secretKeyRef` variables of
 * the driver and executors, where S3A's environment credential provider reads
 * them; empty without a credentials Secret.
 */
export function storageSecretReferences(
  storage: IPublishForm['storage']
): ISecretEnv[] {
  const s3 = storage?.s3;
  if (!s3?.credentialsSecret) {
    return [];
  }
  const { accessKeyEnv, secretKeyEnv } = contract.storage;
  return [
    {
      env: accessKeyEnv,
      secret: s3.credentialsSecret,
      key: s3.accessKeyKey || accessKeyEnv,
      executors: true
    },
    {
      env: secretKeyEnv,
      secret: s3.credentialsSecret,
      key: s3.secretKeyKey || secretKeyEnv,
      executors: true
    }
  ];
}

/**
 * The storage presets' conf for pods: the credentials travel as pod
 * environment (`storageSecretReferences`), so the conf that names them for a
 * kernel is left out.
 */
function storageSparkConf(form: IPublishForm): { [key: string]: string } {
  const conf: { [key: string]: string } = {};
  if (!form.storage) {
    return conf;
  }
  const credentialKeys = [
    contract.storage.credentialsSecret,
    contract.storage.accessKeyKey,
    contract.storage.secretKeyKey
  ];
  for (const [key, value] of Object.entries(
    storageConf(form.storage, 'kubernetes', form.sparkVersion)
  )) {
    if (
      credentialKeys.includes(key) ||
      key.startsWith('spark.kubernetes.executor.secretKeyRef.') ||
      key.startsWith('spark.kubernetes.driver.secretKeyRef.')
    ) {
      continue;
    }
    conf[key] = value;
  }
  return conf;
}

function sparkConf(form: IPublishForm): { [key: string]: string } {
  const conf = {
    ...AUTHENTICATION_CONF,
    ...storageSparkConf(form),
    ...form.sparkConf
  };
  // `${env:NAME}` in SQL would show the driver's secret environment variables.
  conf['spark.sql.variable.substitute'] = 'false';
  if (form.runOutput) {
    conf['spark.eventLog.enabled'] = 'true';
    conf['spark.eventLog.dir'] =
      `${form.runOutput.replace(/\/+$/, '')}/${EVENT_LOG_FOLDER}`;
  }
  return conf;
}

/** The ConfigMap and application for the notebook, or every problem found. */
export async function buildPublication(
  source: IPublishSource,
  form: IPublishForm
): Promise<PublishResult> {
  const problems: IPublishProblem[] = validatePublishForm(form);
  if (problems.length) {
    return { problems };
  }
  const warnings: string[] = [];
  let script: string;
  try {
    script = await notebookJobScript(source.notebook, {
      path: source.path,
      load: source.load,
      secretScopes: form.secretScopes
    });
  } catch (e) {
    return {
      problems: [{ field: 'notebook', message: (e as Error).message }]
    };
  }
  const files = { [JOB_SCRIPT_FILE]: script };
  const binaryFiles = { [RUNTIME_ARCHIVE_FILE]: runtimeArchive() };
  const hash = jobContentHash(files, binaryFiles);
  const jobSource = {
    notebookPath: source.path,
    contentHash: hash,
    owner: form.owner
  };
  const configMap = buildJobConfigMap({
    appName: form.name,
    namespace: form.namespace,
    files,
    binaryFiles,
    labels: jobLabels(form.name, jobSource),
    annotations: jobAnnotations(jobSource)
  });
  if ('error' in configMap) {
    return { problems: [{ field: 'notebook', message: configMap.error }] };
  }
  const spec: IJobSpec = {
    name: form.name,
    namespace: form.namespace,
    image: form.image,
    sparkVersion: form.sparkVersion,
    pythonVersion: '3',
    mainFile: JOB_SCRIPT_FILE,
    configMapName: String(configMap.manifest.metadata.name),
    runtimeArchivePath: RUNTIME_ARCHIVE_FILE,
    arguments: parameterArguments(form.parameters ?? {}),
    driver: form.driver,
    executor: form.executor,
    dynamicAllocation: form.dynamicAllocation,
    restartPolicy: form.restartPolicy,
    timeToLiveSeconds: form.timeToLiveSeconds,
    sparkConf: sparkConf(form),
    nodeSelector: form.nodeSelector,
    tolerations: form.tolerations,
    serviceAccount: form.serviceAccount,
    source: jobSource,
    secretEnv: [
      ...secretReferences(form.secretScopes),
      ...storageSecretReferences(form.storage)
    ],
    env: driverEnv(form)
  };
  const built = buildApplication(spec, form.operator, form.schedule);
  if ('errors' in built) {
    return {
      problems: built.errors.map(message => ({ field: null, message }))
    };
  }
  if (!form.runOutput) {
    warnings.push(
      'No run output location: runs keep no executed notebook and no Spark event log once their pods are gone.'
    );
  }
  if (form.storage?.s3 && !form.storage.s3.credentialsSecret) {
    warnings.push(
      'The S3 storage preset names no credentials Secret: the job reads and writes the bucket with whatever credentials its pods have (none unless the image or the cluster provides them).'
    );
  }
  warnings.push(
    ...databricksConfWarnings(
      form.sparkConf,
      'Spark conf',
      !!form.storage?.delta
    )
  );
  if (!Object.keys(form.secretScopes ?? {}).length && usesSecrets(script)) {
    warnings.push(
      `The notebook reads secrets but no secret scope is mapped: dbutils.secrets will find no ${SECRET_ENV_PREFIX}* variables in the job.`
    );
  }
  const objects = [configMap.manifest, built.manifest];
  return {
    publication: {
      configMap: configMap.manifest,
      application: built.manifest,
      objects,
      yaml: toYaml(objects),
      script,
      hash,
      bytes: configMap.bytes,
      warnings
    }
  };
}

function usesSecrets(script: string): boolean {
  return /dbutils\.secrets\.|\{\{secrets\//.test(script);
}
