/**
 * Session profiles and the Spark conf they produce.
 *
 * A profile is what a user picks in the Spark panel; `sessionConf` turns it
 * into the exact key/values the kernel's `start_session` receives.
 */

/** A profile that runs Spark inside the kernel's own JVM. */
export interface ILocalProfile {
  /** Unique name shown in the panel. */
  name: string;
  /** The kind of cluster. */
  kind: 'local';
  /** Spark master, `local[*]` by default. */
  master?: string;
  /** Driver JVM memory (Spark size: `1g`, `512m`). */
  driverMemory?: string;
  /** Extra Spark conf. */
  conf?: Record<string, string>;
}

/** Any session profile. */
export type SessionProfile = ILocalProfile;

/** The built-in profile used when nothing else is configured. */
export const LOCAL_PROFILE: ILocalProfile = {
  name: 'local',
  kind: 'local',
  master: 'local[*]',
  driverMemory: '1g',
  conf: {}
};

/** Where the session is started from, as the browser knows it. */
export interface ISessionContext {
  /** Spark application name, e.g. the notebook's name. */
  appName: string;
  /** Origin the browser reaches Jupyter at (`http://host:8888`), for UI redirects. */
  uiOrigin?: string;
}

const SPARK_SIZE = /^[0-9]+[kmgtp]?b?$/i;
const LOCAL_MASTER = /^local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?$/;

/** Problems with a profile, in plain words; empty when it can be used. */
export function validateProfile(profile: SessionProfile): string[] {
  const errors: string[] = [];
  if (!profile.name || !profile.name.trim()) {
    errors.push('The profile has no name.');
  }
  const label = profile.name || '(unnamed)';
  if (profile.master !== undefined && !LOCAL_MASTER.test(profile.master)) {
    errors.push(
      `Profile "${label}": master "${profile.master}" is not a local master; use local[*] or local[N].`
    );
  }
  if (
    profile.driverMemory !== undefined &&
    !SPARK_SIZE.test(profile.driverMemory)
  ) {
    errors.push(
      `Profile "${label}": driver memory "${profile.driverMemory}" is not a size; use a number with k, m, g or t, e.g. 2g.`
    );
  }
  for (const [key, value] of Object.entries(profile.conf ?? {})) {
    if (!/^spark\.[A-Za-z0-9_.\-[\]/]+$/.test(key)) {
      errors.push(
        `Profile "${label}": conf key "${key}" is not a Spark property; keys start with "spark." and have no spaces.`
      );
    }
    if (typeof value !== 'string') {
      errors.push(
        `Profile "${label}": the value of "${key}" must be a string.`
      );
    }
  }
  return errors;
}

/** The Spark conf for a session of `profile`; throws if the profile is invalid. */
export function sessionConf(
  profile: SessionProfile,
  context: ISessionContext
): Record<string, string> {
  const errors = validateProfile(profile);
  if (errors.length) {
    throw new Error(errors.join('\n'));
  }
  const conf: Record<string, string> = {
    'spark.master': profile.master ?? 'local[*]',
    'spark.app.name': context.appName || 'jupyterlab-spark-k8s',
    'spark.driver.memory': profile.driverMemory ?? '1g',
    // Job progress and the UI link need the UI; keep it on even if a profile's
    // defaults turned it off.
    'spark.ui.enabled': 'true'
  };
  if (context.uiOrigin) {
    // Spark's own redirects (`/` → `/jobs/`) must land back under the
    // Jupyter-proxied prefix, which Spark learns from X-Forwarded-Context.
    conf['spark.ui.proxyRedirectUri'] = context.uiOrigin;
  }
  return { ...conf, ...(profile.conf ?? {}) };
}
