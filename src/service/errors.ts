/**
 * Kubernetes failures as typed errors the panel can show: `code`, `message`,
 * `hint`, and the HTTP status to answer with.
 */
import { IServiceError } from '../core';

/** A failure with words for the user. */
export class ServiceError extends Error implements IServiceError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string
  ) {
    super(message);
  }

  toJSON(): IServiceError {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

/** What was being attempted, to name it in the error. */
export interface IAttempt {
  verb: string;
  resource: string;
  namespace?: string;
  group?: string;
}

function describe(a: IAttempt): string {
  const res = a.group ? `${a.resource}.${a.group}` : a.resource;
  return `${a.verb} ${res}${a.namespace ? ` in namespace "${a.namespace}"` : ''}`;
}

/** Turn anything client-node throws into a ServiceError naming the attempt. */
export function toServiceError(err: unknown, attempt: IAttempt): ServiceError {
  if (err instanceof ServiceError) {
    return err;
  }
  const e = err as {
    code?: number | string;
    body?: unknown;
    message?: string;
    cause?: { code?: string };
  };
  const status = typeof e.code === 'number' ? e.code : undefined;
  const what = describe(attempt);
  if (status === 401) {
    return new ServiceError(
      401,
      'Unauthorized',
      `The API server rejected this pod's credentials (${what}).`,
      'The service account token may have expired or been revoked; restart the server.'
    );
  }
  if (status === 403) {
    return new ServiceError(
      403,
      'Forbidden',
      `This service account may not ${what}.`,
      `Grant "${attempt.verb}" on "${attempt.group ? attempt.resource + '.' + attempt.group : attempt.resource}" in the Role bound to the service account (deploy/rbac.yaml).`
    );
  }
  if (status === 404 && attempt.group) {
    const operator =
      attempt.group === 'sparkoperator.k8s.io'
        ? 'the kubeflow Spark operator (sparkoperator.k8s.io)'
        : attempt.group === 'spark.apache.org'
          ? 'the Apache Spark Kubernetes Operator (spark.apache.org)'
          : `the API group ${attempt.group}`;
    return new ServiceError(
      404,
      'NotInstalled',
      `Cannot ${what}: ${operator} is not installed on this cluster.`,
      'Ask an admin to install its CRDs, or pick the other operator.'
    );
  }
  if (status === 404) {
    return new ServiceError(404, 'NotFound', `Cannot ${what}: not found.`);
  }
  if (status !== undefined) {
    const detail = bodyMessage(e.body) ?? e.message ?? '';
    return new ServiceError(
      status >= 400 && status < 600 ? status : 502,
      'ApiError',
      `Cannot ${what}: ${detail}`.trim()
    );
  }
  const code =
    e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined);
  return new ServiceError(
    503,
    'Unreachable',
    `The Kubernetes API server cannot be reached (${code ?? e.message ?? 'no answer'}).`,
    'Check that the cluster is up and this pod can reach it; the panel retries on its own.'
  );
}

function bodyMessage(body: unknown): string | undefined {
  if (!body) {
    return undefined;
  }
  try {
    const parsed = typeof body === 'string' ? JSON.parse(body) : body;
    return (parsed as { message?: string }).message;
  } catch {
    return String(body).slice(0, 300);
  }
}
