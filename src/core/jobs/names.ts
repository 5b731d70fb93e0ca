/**
 * Names of the runs the service creates: "run now" of a schedule and a
 * re-run of an application, distinct from the operator's `<schedule>-<unix time>`.
 */
import { APP_NAME_MAX_LENGTH } from '../manifests/names';

/** The label the kubeflow operator puts on every run of a schedule. */
export const SCHEDULED_APP_LABEL = 'sparkoperator.k8s.io/scheduled-app-name';

/** `yyyymmddhhmmss` of a time, in UTC. */
export function compactTime(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:T]/g, '');
}

/** `<base><suffix>`, the base shortened so the name stays a valid application name. */
function withSuffix(base: string, suffix: string): string {
  const room = APP_NAME_MAX_LENGTH - suffix.length;
  const head = base.slice(0, room).replace(/-+$/, '');
  return `${head}${suffix}`;
}

/** The name of a "run now" of a schedule: `<schedule>-manual-<yyyymmddhhmmss>`. */
export function manualRunName(schedule: string, at: Date): string {
  return withSuffix(schedule, `-manual-${compactTime(at)}`);
}

/** The name of an application run again: `<name>-r<yyyymmddhhmmss>`. */
export function rerunName(name: string, at: Date): string {
  // A re-run of a re-run is named after the original.
  return withSuffix(name.replace(/-r\d{14}$/, ''), `-r${compactTime(at)}`);
}
