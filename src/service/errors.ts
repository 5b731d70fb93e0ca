/**
 * Kubernetes failures as typed errors the panel can show: `code`, `message`,
 * `hint`, and the HTTP status to answer with.
 */
import { IServiceError } from '../core';
import { describeFailure, IAttempt } from '../kube/errors';

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
export type { IAttempt } from '../kube/errors';

/** Turn anything client-node throws into a ServiceError naming the attempt. */
export function toServiceError(err: unknown, attempt: IAttempt): ServiceError {
  if (err instanceof ServiceError) {
    return err;
  }
  const f = describeFailure(err, attempt);
  return new ServiceError(f.status, f.reason, f.message, f.hint);
}
