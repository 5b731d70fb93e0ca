/**
 * Kubernetes API failures in plain words, shared by the service and the CLI:
 * what was attempted, what went wrong, what to do about it.
 */

/** What was being attempted, to name it in the error. */
export interface IAttempt {
  verb: string;
  resource: string;
  namespace?: string;
  group?: string;
  /** The object's name, when there is one. */
  name?: string;
}

/** A `StatusCause` of the API server (`details.causes[]`). */
export interface IStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A failure with words for the user and the HTTP status to answer with. */
export interface IKubeFailure {
  /** HTTP status (401, 403, 404, 409, 422, 503 …). */
  status: number;
  /** A short machine-readable name: `Forbidden`, `NotInstalled`, `Conflict` … */
  reason: string;
  message: string;
  hint?: string;
  /** The API server's causes, when it gave some. */
  causes?: IStatusCause[];
}

/** The operator that serves an API group, in words. */
export function operatorOf(group: string): string {
  if (group === 'sparkoperator.k8s.io') {
    return 'The kubeflow Spark operator';
  }
  if (group === 'spark.apache.org') {
    return 'The Apache Spark Kubernetes Operator';
  }
  return `The API group ${group}`;
}

/** `verb resource.group in namespace "ns"`. */
export function describeAttempt(a: IAttempt): string {
  const res = a.group ? `${a.resource}.${a.group}` : a.resource;
  return `${a.verb} ${res}${a.namespace ? ` in namespace "${a.namespace}"` : ''}`;
}

/** The parsed `Status` body of an API error, if it has one. */
export function statusBody(body: unknown):
  | {
      message?: string;
      reason?: string;
      details?: { name?: string; causes?: IStatusCause[] };
    }
  | undefined {
  if (!body) {
    return undefined;
  }
  if (typeof body === 'object') {
    return body as any;
  }
  try {
    const parsed = JSON.parse(String(body));
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return { message: String(body).trim().slice(0, 300) };
  }
}

/** The HTTP status of a client-node error, if the API server answered. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Turn anything client-node throws into a failure naming the attempt. */
export function describeFailure(err: unknown, attempt: IAttempt): IKubeFailure {
  const e = (err ?? {}) as {
    body?: unknown;
    message?: string;
    code?: unknown;
    cause?: { code?: string; message?: string };
  };
  const status = statusOf(err);
  const what = describeAttempt(attempt);
  const body = statusBody(e.body);
  const apiMessage = body?.message?.trim();
  if (status === 401) {
    return {
      status: 401,
      reason: 'Unauthorized',
      message: `The API server rejected this pod's credentials (${what}).`,
      hint: 'The service account token may have expired or been revoked; restart the server.'
    };
  }
  if (status === 403) {
    // An apply that creates needs "create" as well as "patch": the API server
    // names the one it refused.
    const refused =
      attempt.verb === 'patch'
        ? /cannot (create|patch) resource/.exec(apiMessage ?? '')?.[1]
        : undefined;
    const a = refused ? { ...attempt, verb: refused } : attempt;
    const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
    return {
      status: 403,
      reason: 'Forbidden',
      message: `This service account may not ${describeAttempt(a)}.`,
      hint: `Grant "${a.verb}" on "${resource}" in the Role bound to the service account (deploy/rbac.yaml).`
    };
  }
  if (status === 404) {
    // A missing object names itself in `details.name`; a missing resource
    // type (CRD not installed) does not.
    if (!body?.details?.name && attempt.group) {
      return {
        status: 404,
        reason: 'NotInstalled',
        message: `${operatorOf(attempt.group)} is not installed in this cluster: its CRD ${attempt.resource}.${attempt.group} is missing, so the service cannot ${what}.`,
        hint: 'Ask a cluster admin to install the operator (its CRDs), or pick the other operator.'
      };
    }
    return {
      status: 404,
      reason: 'NotFound',
      message: `Cannot ${what}: ${apiMessage ?? 'not found'}.`.replace(
        /\.\.$/,
        '.'
      )
    };
  }
  if (
    status === 500 &&
    /failed to create typed patch object/.test(apiMessage ?? '')
  ) {
    // Server-side apply checks every field against the schema; the API server
    // answers 500 for what is a bad request.
    const fields = apiMessage!
      .replace(/^[^:]*\):\s*(errors:\s*)?/, '')
      .split('\n')
      .map(line => line.trim())
      .filter(Boolean);
    return {
      status: 422,
      reason: 'Invalid',
      message: `Cannot ${what}${attempt.name ? ` "${attempt.name}"` : ''}: it does not match the schema the cluster serves: ${fields.join('; ')}.`,
      hint: 'Correct or remove the field named above: an unknown or misspelt field is an error here, never silently dropped.',
      causes: fields.map(message => ({
        reason: 'FieldValueInvalid',
        message,
        field: /^(\.[^:]+):/.exec(message)?.[1]
      }))
    };
  }
  if (status !== undefined) {
    const reason =
      status === 409
        ? 'Conflict'
        : status === 422
          ? 'Invalid'
          : status === 400
            ? 'BadRequest'
            : (body?.reason ?? 'ApiError');
    return {
      status: status >= 400 && status < 600 ? status : 502,
      reason,
      message: `Cannot ${what}: ${apiMessage ?? e.message ?? `HTTP ${status}`}`,
      causes: body?.details?.causes
    };
  }
  const code =
    e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined);
  return {
    status: 503,
    reason: 'Unreachable',
    message: `The Kubernetes API server cannot be reached (${code ?? e.cause?.message ?? e.message ?? 'no answer'}).`,
    hint: 'Check that the cluster is up and this pod can reach it, then try again.'
  };
}
