/**
 * What publishing gives back, shared by the service, the CLI and (as plain
 * JSON) the browser: the applied application, or why nothing changed.
 */
import type { IKubeFailure } from './errors';

/** The field manager of every apply (what `managedFields` shows). */
export const FIELD_MANAGER = 'jupyterlab-spark-k8s';

/** How to apply. */
export interface IApplyOptions {
  /** Take over fields another manager owns (after the user confirmed). */
  force?: boolean;
  /** Only the strict server-side dry run: say what would happen, change nothing. */
  dryRun?: boolean;
}

/** A field another manager owns, which applying would take over. */
export interface IApplyConflict {
  /** Field path as the API server names it, e.g. `spec.image`. */
  field: string;
  /** The other field manager, e.g. `argocd-controller`. */
  manager: string;
}

/** The application as applied. */
export interface IAppliedApplication {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  /** Its uid (with `dryRun`, the existing one or the one the dry run gave). */
  uid: string;
}

/** What publishing did, or why it did nothing. */
export type ApplyResult =
  | {
      ok: true;
      application: IAppliedApplication;
      /** Name of the job ConfigMap the application mounts. */
      configMap: string;
      /** True when the application did not exist before. */
      created: boolean;
      /** Older job ConfigMaps of the application deleted (with `dryRun`: would be). */
      removed: string[];
      /** What went wrong after the application was applied (cleanup), in plain words. */
      warnings?: string[];
    }
  | {
      ok: false;
      /** HTTP status: 400 bad objects, 403, 404 operator missing, 409 conflict, 422 invalid, 503 unreachable … */
      code: number;
      message: string;
      hint?: string;
      /** Fields owned by other managers (code 409). */
      conflicts?: IApplyConflict[];
      /** A short name of the failure: `Conflict`, `Invalid`, `Forbidden`, `NotInstalled` … */
      reason?: string;
    };

type Failure = Extract<ApplyResult, { ok: false }>;

/** The conflicts of a 409 from an apply, from the API server's causes. */
export function conflictsOf(failure: IKubeFailure): IApplyConflict[] {
  if (failure.status !== 409) {
    return [];
  }
  return (failure.causes ?? [])
    .filter(c => c.reason === 'FieldManagerConflict' || !c.reason)
    .map(c => ({
      field: (c.field ?? '').replace(/^\./, ''),
      manager: /conflict with "([^"]*)"/.exec(c.message ?? '')?.[1] ?? '?'
    }))
    .filter(c => c.field);
}

/** A failure as an `ApplyResult`, conflicts explained. */
export function toFailure(failure: IKubeFailure, what: string): Failure {
  const conflicts = conflictsOf(failure);
  if (conflicts.length) {
    const listed = conflicts.map(c => `${c.field} (${c.manager})`).join(', ');
    const managers = [...new Set(conflicts.map(c => c.manager))].join(', ');
    return {
      ok: false,
      code: 409,
      reason: 'Conflict',
      message: `${what} has fields managed by another tool (${managers}): ${listed}. Publishing would overwrite them, so nothing was changed.`,
      hint: `Confirm to take over these fields from ${managers} (publish again with force), or change them where ${managers} manages them (for example in Git).`,
      conflicts
    };
  }
  const out: Failure = {
    ok: false,
    code: failure.status,
    reason: failure.reason,
    message: failure.message
  };
  if (failure.hint) {
    out.hint = failure.hint;
  }
  return out;
}
