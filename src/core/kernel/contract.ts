/**
 * The names both sides of the kernel contract agree on. contract.json is the one
 * source: the build copies it (with the settings defaults) into the runtime
 * archive, where the Python runtime reads the same values.
 */
import contract from './contract.json';
import { SETTINGS_DEFAULTS } from './archive.generated';

/** The name the runtime module is bound to in the kernel's namespace. */
export const RUNTIME_NAME: string = contract.runtimeName;
/** The runtime's importable package name inside its archive. */
export const RUNTIME_MODULE: string = contract.module;
/** MIME type of the session info the runtime announces. */
export const SESSION_MIME: string = contract.sessionMime;
/** MIME type of the declared widgets the runtime reports. */
export const WIDGETS_MIME: string = contract.widgetsMime;
/** MIME type of a cell's live Spark progress (and its final summary). */
export const PROGRESS_MIME: string = contract.progressMime;
/** Class name of errors whose message is written for the user. */
export const RUNTIME_ERROR_NAME: string = contract.errorName;
/** Environment variable a job passes widget values in (JSON). */
export const WIDGETS_ENV: string = contract.widgetsEnv;
/** Prefix of the environment variables a job or executor reads secrets from. */
export const SECRET_ENV_PREFIX: string = contract.secretEnvPrefix;
/** Label on executor pods: the session they belong to. */
export const SESSION_LABEL: string = contract.labels.session;
/** Label on executor pods: the Jupyter (driver) pod that owns the session. */
export const DRIVER_POD_LABEL: string = contract.labels.driverPod;
/** Annotation on executor pods: the kernel process id, for the reaper. */
export const KERNEL_PID_ANNOTATION: string = contract.annotations.kernelPid;
/** Annotation on executor pods: the kernel process start time (guards pid reuse). */
export const KERNEL_START_ANNOTATION: string = contract.annotations.kernelStart;

/** Setting defaults, from schema/*.json (the only place they are written). */
export const DEFAULTS = {
  rowLimit: SETTINGS_DEFAULTS.rowLimit as number,
  startTimeout: SETTINGS_DEFAULTS.startTimeout as number,
  autoStart: SETTINGS_DEFAULTS.autoStart as boolean,
  defaultProfile: SETTINGS_DEFAULTS.defaultProfile as string,
  rerunOnChange: SETTINGS_DEFAULTS.rerunOnChange as 'none' | 'all' | 'below'
};

/**
 * Environment variables of a published job's driver: job mode, the job and
 * run ids (the notebook context), where the run writes its executed notebook
 * and event log, and where the failing cell is reported (the termination log).
 */
export const JOB_ENV = {
  job: contract.jobEnv.job,
  jobId: contract.jobEnv.jobId,
  runId: contract.jobEnv.runId,
  runOutput: contract.jobEnv.runOutput,
  terminationLog: contract.jobEnv.terminationLog
} as const;
