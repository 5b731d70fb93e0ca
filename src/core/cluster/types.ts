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

/** Label on executor pods: the session they belong to. */
export const SESSION_LABEL = 'spark-k8s.jupyter.org/session';
/** Label on executor pods: the Jupyter (driver) pod that owns the session. */
export const DRIVER_POD_LABEL = 'spark-k8s.jupyter.org/driver-pod';
/** Annotation on executor pods: the kernel process id, for the reaper. */
export const KERNEL_PID_ANNOTATION = 'spark-k8s.jupyter.org/kernel-pid';
/** Annotation on executor pods: the kernel process start time (guards pid reuse). */
export const KERNEL_START_ANNOTATION = 'spark-k8s.jupyter.org/kernel-start';
