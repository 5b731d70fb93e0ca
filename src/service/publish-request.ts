/**
 * The body of POST /publish, checked: not a generic apply proxy, so exactly
 * one job ConfigMap and one Spark application that mounts it, in the
 * service's own namespace, owned by the JupyterHub user the server runs for.
 */
import type { IncomingMessage } from 'node:http';
import type { IManifest, JsonValue } from '../core/manifests';
import { ANNOTATIONS, LABELS, toLabelValue } from '../core/manifests';
import { checkPublication } from '../kube/publication';
import type { IApplyConflict } from '../kube/result';
import { ServiceError } from './errors';

/** Largest request body accepted (a job ConfigMap holds at most 1 MiB, base64 adds a third). */
export const MAX_PUBLISH_BYTES = 2 * 1024 * 1024;

/** A publish failure; its JSON carries the conflicting fields, if any. */
export class PublishError extends ServiceError {
  constructor(
    status: number,
    code: string,
    message: string,
    hint?: string,
    readonly conflicts?: IApplyConflict[]
  ) {
    super(status, code, message, hint);
  }

  toJSON() {
    const out: ReturnType<ServiceError['toJSON']> & {
      conflicts?: IApplyConflict[];
    } = super.toJSON();
    if (this.conflicts?.length) {
      out.conflicts = this.conflicts;
    }
    return out;
  }
}

/** The request body, checked. */
export interface IPublishRequest {
  objects: IManifest[];
  force: boolean;
  dryRun: boolean;
}

/** Reads a JSON body of at most `limit` bytes; a ServiceError (400/413) otherwise. */
export function readJsonBody(
  req: IncomingMessage,
  limit = MAX_PUBLISH_BYTES
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      reject(tooLarge(limit));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) {
        return;
      }
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', e => {
      if (!failed) {
        failed = true;
        reject(
          new ServiceError(
            400,
            'BadRequest',
            `Reading the request failed: ${e.message}`
          )
        );
      }
    });
    req.on('end', () => {
      if (failed) {
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(
          new ServiceError(
            400,
            'BadRequest',
            `The request body is not valid JSON: ${(e as Error).message}.`,
            'Send {"objects": [configMap, application], "force"?: boolean, "dryRun"?: boolean}.'
          )
        );
      }
    });
  });
}

function tooLarge(limit: number): ServiceError {
  return new ServiceError(
    413,
    'TooLarge',
    `The request is larger than ${limit} bytes.`,
    'A job ConfigMap holds at most 1 MiB: make the notebook and the notebooks it runs smaller.'
  );
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Checks the body and fits it to this service: the objects go to `namespace`
 * (a different one is refused), the owner is the JupyterHub `user`.
 */
export function publishRequest(
  body: unknown,
  namespace: string,
  user?: string
): IPublishRequest {
  const bad = (message: string) =>
    new ServiceError(
      400,
      'BadRequest',
      message,
      'Send {"objects": [configMap, application], "force"?: boolean, "dryRun"?: boolean} as the publish dialog builds it.'
    );
  if (!isObject(body)) {
    throw bad('The request body must be a JSON object.');
  }
  for (const flag of ['force', 'dryRun']) {
    if (body[flag] !== undefined && typeof body[flag] !== 'boolean') {
      throw bad(`"${flag}" must be true or false.`);
    }
  }
  const objects = body.objects;
  if (!Array.isArray(objects)) {
    throw bad(
      '"objects" must be a list: the job ConfigMap and the application.'
    );
  }
  // Copies: the owner and namespace are set below.
  const copies = JSON.parse(JSON.stringify(objects)) as IManifest[];
  for (const o of copies) {
    if (isObject(o) && isObject(o.metadata)) {
      const ns = o.metadata.namespace;
      if (ns !== undefined && ns !== null && ns !== '' && ns !== namespace) {
        throw bad(
          `The ${String(o.kind)} "${String(o.metadata.name)}" is for namespace "${String(ns)}"; this server publishes to its own namespace, "${namespace}".`
        );
      }
      o.metadata.namespace = namespace;
    }
  }
  const checked = checkPublication(copies, namespace);
  if ('error' in checked) {
    throw bad(checked.error);
  }
  if (user) {
    setOwner(checked.configMap, user);
    setOwner(checked.application, user);
  }
  return {
    objects: [checked.configMap, checked.application],
    force: body.force === true,
    dryRun: body.dryRun === true
  };
}

/**
 * Sets the owner label and annotation to `user` on the object and on every
 * pod template labelled as a published job's (the client's claim is replaced).
 */
export function setOwner(manifest: IManifest, user: string): void {
  const value = toLabelValue(user);
  const visit = (node: JsonValue, top: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach(n => visit(n, false));
      return;
    }
    if (!isObject(node)) {
      return;
    }
    const labels = node.labels;
    if (isObject(labels) && (top || LABELS.app in labels)) {
      if (value) {
        labels[LABELS.owner] = value;
      } else {
        delete labels[LABELS.owner];
      }
    }
    for (const key of Object.keys(node)) {
      if (key !== 'labels') {
        visit(node[key], false);
      }
    }
  };
  const metadata = manifest.metadata;
  if (!isObject(metadata.labels)) {
    metadata.labels = {};
  }
  if (!isObject(metadata.annotations)) {
    metadata.annotations = {};
  }
  (metadata.annotations as { [key: string]: JsonValue })[ANNOTATIONS.owner] =
    user;
  visit(metadata, true);
  if (manifest.spec !== undefined) {
    visit(manifest.spec, false);
  }
}
