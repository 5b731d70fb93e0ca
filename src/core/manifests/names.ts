/**
 * Kubernetes names: validation with plain-words messages, and names derived
 * from notebook paths.
 */
import { sha256Hex } from './hash';

/** Longest SparkApplication name: leaves room for `-driver` and `-ui-svc` within 63. */
export const APP_NAME_MAX_LENGTH = 50;

/**
 * Longest ScheduledSparkApplication name: each run is named
 * `<name>-<19-digit timestamp>` and its driver pod `<run>-driver`, within 63.
 */
export const SCHEDULED_APP_NAME_MAX_LENGTH = 36;

/** The prefix of every label and annotation this extension writes. */
export const LABEL_PREFIX = 'spark-k8s.jupyter.org/';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Checks a Spark application name (a DNS-1035 label of at most `maxLength`
 * characters); returns a plain-words problem or null.
 */
export function validateName(
  name: string,
  maxLength: number = APP_NAME_MAX_LENGTH
): string | null {
  const problem = validateDnsLabel(name, 'name', maxLength);
  if (problem) {
    return problem;
  }
  if (!/^[a-z]/.test(name)) {
    return `name ${show(name)} must start with a letter (Spark's driver service is named after it).`;
  }
  return null;
}

/** Checks a DNS-1123 label such as a namespace; returns a problem or null. */
export function validateDnsLabel(
  value: string,
  what = 'name',
  maxLength = 63
): string | null {
  if (typeof value !== 'string' || value.length === 0) {
    return `${what} is empty.`;
  }
  if (value.length > maxLength) {
    return `${what} ${show(value)} is ${value.length} characters long; the limit is ${maxLength}.`;
  }
  if (/[A-Z]/.test(value)) {
    return `${what} ${show(value)} has uppercase letters; use lowercase.`;
  }
  if (!DNS_LABEL.test(value)) {
    return `${what} ${show(value)} may contain only lowercase letters, digits and '-', and must start and end with a letter or digit.`;
  }
  return null;
}

/** Checks a DNS-1123 subdomain such as a Secret or ConfigMap name; returns a problem or null. */
export function validateDnsSubdomain(
  value: string,
  what = 'name'
): string | null {
  if (typeof value !== 'string' || value.length === 0) {
    return `${what} is empty.`;
  }
  if (value.length > 253) {
    return `${what} ${show(value)} is ${value.length} characters long; the limit is 253.`;
  }
  if (/[A-Z]/.test(value)) {
    return `${what} ${show(value)} has uppercase letters; use lowercase.`;
  }
  if (!value.split('.').every(part => DNS_LABEL.test(part))) {
    return `${what} ${show(value)} may contain only lowercase letters, digits, '-' and '.', and each dot-separated part must start and end with a letter or digit.`;
  }
  return null;
}

/** Checks a label or annotation key (`[prefix/]name`); returns a problem or null. */
export function validateMetadataKey(key: string): string | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : '';
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (slash >= 0) {
    const problem = validateDnsSubdomain(
      prefix,
      `the prefix of key ${show(key)}`
    );
    if (problem) {
      return problem;
    }
  }
  if (
    name.length === 0 ||
    name.length > 63 ||
    !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name)
  ) {
    return `key ${show(key)} must end in a name of at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.`;
  }
  return null;
}

/** Checks a label value (≤ 63 characters of letters, digits, `-_.`); returns a problem or null. */
export function validateLabelValue(value: string): string | null {
  if (value.length > 63) {
    return `label value ${show(value)} is ${value.length} characters long; the limit is 63.`;
  }
  if (
    value !== '' &&
    !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value)
  ) {
    return `label value ${show(value)} may contain only letters, digits, '-', '_' and '.', and must start and end with a letter or digit.`;
  }
  return null;
}

/** Turns any text into a valid label value (lossy; keep the original in an annotation). */
export function toLabelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** Checks a ConfigMap or Secret data key (a file name); returns a problem or null. */
export function validateDataKey(key: string): string | null {
  if (
    key.length === 0 ||
    key.length > 253 ||
    key === '.' ||
    key === '..' ||
    !/^[-._a-zA-Z0-9]+$/.test(key)
  ) {
    return `file name ${show(key)} may contain only letters, digits, '-', '_' and '.' (no '/'), and may not be '.' or '..'.`;
  }
  return null;
}

/** Checks an environment variable name (a C identifier); returns a problem or null. */
export function validateEnvName(name: string): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    return `environment variable ${show(name)} may contain only letters, digits and '_', and may not start with a digit.`;
  }
  return null;
}

/**
 * A valid application name for a notebook path: its file name in lowercase
 * with `-`, plus 6 hex digits of the path's hash, so two notebooks with the
 * same file name in different folders never overwrite each other's application.
 */
export function nameFromNotebook(
  path: string,
  maxLength: number = APP_NAME_MAX_LENGTH
): string {
  const normalized = path.replace(/\\/g, '/').replace(/^\/+/, '');
  const file = normalized.slice(normalized.lastIndexOf('/') + 1);
  const stem = file.replace(/\.[A-Za-z0-9]+$/, '');
  let slug = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(slug)) {
    slug = slug ? `nb-${slug}` : 'notebook';
  }
  const suffix = sha256Hex(normalized).slice(0, 6);
  slug = slug.slice(0, Math.max(1, maxLength - suffix.length - 1));
  slug = slug.replace(/-+$/, '');
  return `${slug}-${suffix}`;
}

/** Quotes a value for a message, showing control characters and cutting long ones. */
export function show(value: string): string {
  const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(cut);
}
