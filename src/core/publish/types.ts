/**
 * What publishing a notebook takes (the form the dialog and the CLI fill in)
 * and what it gives (the job ConfigMap, the application, their YAML).
 */
import type { INotebook } from '../databricks/model';
import type { ResolvedScopes } from '../kernel';
import type {
  IDriverResources,
  IDynamicAllocation,
  IExecutorResources,
  IManifest,
  IRestartPolicy,
  IScheduleSpec,
  IToleration,
  Operator
} from '../manifests';
import type { IStoragePresets } from '../session/profile';
import type { FileLoader } from '../translate/run';

/** The fields of the publish dialog (and the CLI's options). */
export interface IPublishForm {
  /** Application name (DNS-1123; at most 50 characters, 36 with a schedule). */
  name: string;
  operator: Operator;
  namespace: string;
  image: string;
  sparkVersion: string;
  serviceAccount: string;
  driver: IDriverResources;
  executor: IExecutorResources;
  dynamicAllocation?: IDynamicAllocation;
  restartPolicy: IRestartPolicy;
  timeToLiveSeconds?: number;
  sparkConf: { [key: string]: string };
  nodeSelector?: { [key: string]: string };
  tolerations?: IToleration[];
  /** Widget values the job starts with (application arguments `--name value`). */
  parameters: { [name: string]: string };
  /** Secret scopes, resolved (Secret names, keys and env names; never values). */
  secretScopes: ResolvedScopes;
  /** Run on this schedule (kubeflow only); absent: run once. */
  schedule?: IScheduleSpec;
  /**
   * Storage root for each run's executed notebook and Spark event log: a
   * Hadoop URI (`s3a://bucket/runs`) or a path on a volume the image mounts.
   */
  runOutput?: string;
  /** The JupyterHub user publishing it (a label; the service sets its own). */
  owner?: string;
  /**
   * Object store and table formats, as in the session profile: their Spark
   * conf, and the bucket credentials as Secret references (never values) in
   * the driver's and executors' environment.
   */
  storage?: IStoragePresets;
}

/** The notebook being published, as it is in the editor. */
export interface IPublishSource {
  notebook: Pick<INotebook, 'cells'> & Partial<Pick<INotebook, 'metadata'>>;
  /** Contents API path of the notebook (its `%run` targets resolve against it). */
  path: string;
  /** Reads a `%run` / `notebook.run` target; null when missing. */
  load: FileLoader;
}

/** The form fields a problem can be shown at; `null`: not one field. */
export type PublishField =
  | 'name'
  | 'operator'
  | 'namespace'
  | 'image'
  | 'sparkVersion'
  | 'serviceAccount'
  | 'driver'
  | 'executor'
  | 'dynamicAllocation'
  | 'restartPolicy'
  | 'timeToLiveSeconds'
  | 'sparkConf'
  | 'nodeSelector'
  | 'tolerations'
  | 'parameters'
  | 'secretScopes'
  | 'schedule'
  | 'timeZone'
  | 'runOutput'
  | 'notebook';

/** One thing wrong with the form or the notebook, in plain words. */
export interface IPublishProblem {
  field: PublishField | null;
  message: string;
}

/** Everything publishing applies, in apply order (ConfigMap first). */
export interface IPublication {
  configMap: IManifest;
  application: IManifest;
  /** `[configMap, application]`. */
  objects: IManifest[];
  /** The objects as one deterministic multi-document YAML (Export YAML). */
  yaml: string;
  /** The job script inside the ConfigMap. */
  script: string;
  /** Content hash of the job (script + runtime archive). */
  hash: string;
  /** Bytes of the ConfigMap's data. */
  bytes: number;
  /** What publishing could not carry over, in plain words (never silently dropped). */
  warnings: string[];
}

/** A built publication, or every problem found. */
export type PublishResult =
  { publication: IPublication } | { problems: IPublishProblem[] };
