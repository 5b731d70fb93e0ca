/**
 * Databricks secret scopes resolved to Kubernetes Secrets, once, in core: the
 * kernel, executors and jobs receive the result (names, keys and environment
 * variable names; never values).
 */
import { ResolvedScopes, SECRET_ENV_PREFIX } from '../kernel';

/** A Databricks secret scope backed by a Kubernetes Secret, with its keys. */
export interface ISecretScope {
  scope: string;
  secret: string;
  keys: string[];
}

/** A Secret as the service lists it: name and keys, never values. */
export interface ISecretKeys {
  name: string;
  keys: string[];
}

/** The environment variable a job (or an executor) reads a secret from. */
export function secretEnvName(scope: string, key: string): string {
  return (
    SECRET_ENV_PREFIX +
    `${scope}_${key}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')
  );
}

/** Configured scopes (scope → Secret) whose Secret exists, with its keys. */
export function mappedScopes(
  mapping: Readonly<Record<string, string>>,
  secrets: readonly ISecretKeys[]
): ISecretScope[] {
  return Object.entries(mapping).flatMap(([scope, name]) => {
    const found = secrets.find(s => s.name === name);
    return found ? [{ scope, secret: name, keys: [...found.keys] }] : [];
  });
}

/**
 * Every scope a kernel may read: the configured ones, and each Secret of the
 * namespace under its own name (an unmapped scope reads the Secret of that name).
 */
export function kernelScopes(
  mapping: Readonly<Record<string, string>>,
  secrets: readonly ISecretKeys[]
): ISecretScope[] {
  const scopes = mappedScopes(mapping, secrets);
  for (const s of secrets) {
    if (!(s.name in mapping)) {
      scopes.push({ scope: s.name, secret: s.name, keys: [...s.keys] });
    }
  }
  return scopes;
}

/** Scopes as the runtime receives them: Secret and environment variable per key. */
export function resolveScopes(scopes: readonly ISecretScope[]): ResolvedScopes {
  const resolved: ResolvedScopes = {};
  for (const { scope, secret, keys } of scopes) {
    const env: Record<string, string> = {};
    for (const key of keys) {
      env[key] = secretEnvName(scope, key);
    }
    resolved[scope] = { secret, env };
  }
  return resolved;
}
