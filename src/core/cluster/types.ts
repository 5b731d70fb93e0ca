/**
 * What the service's GET /cluster answers, shared by the service and the panel.
 */
import { Feature } from './permissions';

/** Which Spark operators' APIs the API server serves. */
export interface IOperators {
  /** kubeflow spark-operator: sparkoperator.k8s.io/v1beta2. */
  kubeflow: boolean;
  /** Apache Spark Kubernetes Operator: spark.apache.org/v1. */
  apache: boolean;
}

/** The cluster as seen from the Jupyter pod. */
export interface IClusterInfo {
  /** False when no cluster could be reached; `reason` says why. */
  available: boolean;
  reason?: string;
  /** API server URL, for `spark.master=k8s://…`. */
  server?: string;
  inCluster?: boolean;
  namespace?: string;
  /** This pod's name and IP, or what is missing to know them. */
  pod?: { name: string | null; ip: string | null; missing: string[] };
  version?: string;
  operators?: IOperators;
  /** Paths (never contents) of the credentials the kernel's Spark uses. */
  auth?: { tokenFile?: string; caFile?: string };
  permissions?: Record<Feature, { allowed: boolean; missing: string[] }>;
}

/** A typed error from the service. */
export interface IServiceError {
  code: string;
  message: string;
  hint?: string;
}

// The label and annotation keys are part of the kernel contract (one source).
export {
  DRIVER_POD_LABEL,
  KERNEL_PID_ANNOTATION,
  KERNEL_START_ANNOTATION,
  SESSION_LABEL
} from '../kernel/contract';
