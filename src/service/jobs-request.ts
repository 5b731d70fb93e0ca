/**
 * The checks of the /jobs requests (names, action bodies, log options), kept
 * free of client-node so they are tested alone.
 */
import { ServiceError } from './errors';

/** A DNS-1123 name as the routes accept it. */
export const JOB_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** `arguments` of an action body: absent, or a list of strings. */
export function argumentsOf(body: unknown): string[] | undefined {
  if (body === null || body === undefined) {
    return undefined;
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ServiceError(
      400,
      'BadRequest',
      'The request body must be a JSON object, e.g. {"arguments": ["--day", "friday"]}.'
    );
  }
  const args = (body as { arguments?: unknown }).arguments;
  if (args === undefined) {
    return undefined;
  }
  if (!Array.isArray(args) || args.some(a => typeof a !== 'string')) {
    throw new ServiceError(
      400,
      'BadRequest',
      '"arguments" must be a list of strings, e.g. ["--day", "friday"].'
    );
  }
  return args as string[];
}

/** Options of a log request. */
export interface ILogOptions {
  follow: boolean;
  tailLines?: number;
}

/** Parse `follow` and `tailLines` from the query, with words for bad values. */
export function logOptions(query: URLSearchParams): ILogOptions {
  const follow = query.get('follow');
  if (follow !== null && follow !== 'true' && follow !== 'false') {
    throw new ServiceError(
      400,
      'BadRequest',
      `follow must be "true" or "false", not "${follow}".`
    );
  }
  const tail = query.get('tailLines');
  let tailLines: number | undefined;
  if (tail !== null) {
    tailLines = Number(tail);
    if (!/^\d+$/.test(tail) || tailLines < 1) {
      throw new ServiceError(
        400,
        'BadRequest',
        `tailLines must be a positive whole number, not "${tail}".`
      );
    }
  }
  return { follow: follow === 'true', tailLines };
}
