/**
 * The one input every manifest builder takes: what to run, with what
 * resources, under which identity.
 */
import type { JsonValue } from './yaml';

/** A Kubernetes object as the builders produce it (plain JSON). */
export interface IManifest {
  [key: string]: JsonValue;
  apiVersion: string;
  kind: string;
  metadata: { [key: string]: JsonValue };
}

/** Driver resources, in Spark terms. */
export interface IDriverResources {
  /** Whole cores for `spark.driver.cores`. */
  cores: number;
  /** Spark or Kubernetes memory size (`2g`, `512m`, `2Gi`). */
  memory: string;
  /** Extra non-heap memory, same forms as `memory`. */
  memoryOverhead?: string;
  /** Kubernetes CPU request when it should differ from `cores` (`500m`). */
  coreRequest?: string;
  /** Kubernetes CPU limit (`2`, `1500m`). */
  coreLimit?: string;
}

/** Executor resources, in Spark terms. */
export interface IExecutorResources extends IDriverResources {
  /** Fixed executor count (the initial count under dynamic allocation). */
  instances?: number;
}

/** Spark dynamic allocation bounds. */
export interface IDynamicAllocation {
  enabled: boolean;
  minExecutors: number;
  maxExecutors: number;
}

/** When the operator runs the application again. */
export interface IRestartPolicy {
  type: 'Never' | 'OnFailure' | 'Always';
  /** Retries after a failure (OnFailure/Always). */
  retries?: number;
  /** Seconds between retries. */
  retryIntervalSeconds?: number;
}

/** A pod toleration, as in the Kubernetes Pod spec. */
export interface IToleration {
  key?: string;
  operator?: 'Equal' | 'Exists';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

/** An environment variable filled from a Secret key (a reference, never the value). */
export interface ISecretEnv {
  env: string;
  secret: string;
  key: string;
  /** Also set on executors (default: driver only). */
  executors?: boolean;
}

/** A plain environment variable of the driver: a literal or a field of its own pod. */
export interface IEnvVar {
  name: string;
  /** A literal value (never a secret: secrets go through `secretEnv`). */
  value?: string;
  /** A downward-API field of the driver pod, such as `metadata.name`. */
  fieldPath?: string;
}

/** Where a published job came from, recorded in labels and annotations. */
export interface IJobSource {
  /** The notebook path (Contents API path). */
  notebookPath: string;
  /** Hash of the published content (hex). */
  contentHash: string;
  /** The user who published it. */
  owner?: string;
}

/** Everything the SparkApplication builders need, for either operator. */
export interface IJobSpec {
  name: string;
  namespace: string;
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  sparkVersion: string;
  pythonVersion: '3';
  /** File name of the job script inside the job ConfigMap (mounted at `JOB_MOUNT_PATH`). */
  mainFile: string;
  /** The job ConfigMap (see `buildJobConfigMap`). */
  configMapName: string;
  /** File name of the runtime zip inside the job ConfigMap, passed as `--py-files`. */
  runtimeArchivePath: string;
  arguments: string[];
  driver: IDriverResources;
  executor: IExecutorResources;
  dynamicAllocation?: IDynamicAllocation;
  restartPolicy: IRestartPolicy;
  /** Delete the application this long after it ends. */
  timeToLiveSeconds?: number;
  sparkConf: { [key: string]: string };
  nodeSelector?: { [key: string]: string };
  tolerations?: IToleration[];
  serviceAccount: string;
  source: IJobSource;
  /** Extra labels for the application and its pods. */
  labels?: { [key: string]: string };
  /** Extra annotations for the application. */
  annotations?: { [key: string]: string };
  secretEnv: ISecretEnv[];
  /** Plain environment variables of the driver (job id, run id, run output). */
  env?: IEnvVar[];
}

/** A kubeflow schedule around an `IJobSpec`. */
export interface IScheduleSpec {
  /** Five-field cron (convert Quartz with `quartzToCron`). */
  schedule: string;
  /** IANA zone such as `Europe/Paris` or `UTC`; always written. */
  timeZone: string;
  concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulRunHistoryLimit?: number;
  failedRunHistoryLimit?: number;
}

/** The operator a manifest targets. */
export type Operator = 'kubeflow' | 'apache';
