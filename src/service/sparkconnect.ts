/**
 * The operator's SparkConnect servers of this Jupyter pod's sessions: created
 * for the panel, watched into a live status (with the same why-Pending words
 * as executor pods), and deleted on Stop, when their kernel is gone, and when
 * idle past their deadline (the operator culls nothing itself).
 */
import {
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions
} from '@kubernetes/client-node';
import { ServerResponse } from 'node:http';
import {
  DRIVER_POD_LABEL,
  idleDeadline,
  ISparkConnectLike,
  ISparkConnectRequest,
  ISparkConnectStatus,
  LAST_ACTIVITY_ANNOTATION,
  SESSION_LABEL,
  SPARK_CONNECT_KIND,
  sparkConnectEndpoint,
  sparkConnectManifest,
  sparkConnectStatus,
  validateProfile,
  validateSparkConnectRequest
} from '../core';
import { IClusterAccess } from './cluster';
import { ServiceError, toServiceError } from './errors';
import { kernelAlive } from './reaper';
import { ExecutorPods } from './sessions';
import { ResourceWatcher } from './watch';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const FIELD_MANAGER = 'jupyterlab-spark-k8s';

/** A SparkConnect as the API returns it. */
type SparkConnectObject = ISparkConnectLike & {
  metadata?: ISparkConnectLike['metadata'] & {
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    creationTimestamp?: string | Date;
  };
};

/** A SparkConnect's name as the service accepts it in a path. */
export const SPARK_CONNECT_NAME = /^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$/;

/** The words of the error when the CRD is not installed. */
export const CRD_MISSING =
  'The SparkConnect resource (sparkoperator.k8s.io/v1alpha1, kubeflow spark-operator ≥ 2.3) is not installed in this cluster: ask an admin to install or upgrade the kubeflow Spark operator (2.3 or later, with its CRDs), or use a "connect" profile with an existing Spark Connect server.';

/**
 * The length of an idle "minute" in ms: SPARK_K8S_IDLE_UNIT_SECONDS (default 60;
 * tests shorten it so idle culling is seen in seconds).
 */
export function idleUnitMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.SPARK_K8S_IDLE_UNIT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

/** The SparkConnect servers of this Jupyter pod. */
export class SparkConnects {
  /**
   * @param _access the cluster and this pod's identity.
   * @param _pods the watch of this pod's session pods (the servers carry the labels).
   * @param _options the idle "minute" (ms), the user (owner label), and where to log.
   */
  constructor(
    private _access: IClusterAccess,
    private _pods: ExecutorPods,
    private _options: {
      unitMs?: number;
      user?: string;
      log?: (message: string) => void;
    } = {}
  ) {
    const { kc, namespace, podName } = _access;
    this._custom = kc.makeApiClient(CustomObjectsApi);
    const { group, version, plural } = SPARK_CONNECT_KIND;
    const labelSelector = podName
      ? `${SESSION_LABEL},${DRIVER_POD_LABEL}=${podName}`
      : SESSION_LABEL;
    this.watcher = new ResourceWatcher<SparkConnectObject>(kc, {
      path: `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      labelSelector,
      list: () =>
        this._custom.listNamespacedCustomObject({
          group,
          version,
          namespace,
          plural,
          labelSelector
        }) as Promise<{ items: SparkConnectObject[] }>
    });
    this.watcher.onChange(change => {
      if (change.type === 'ADDED' || change.type === 'SYNCED') {
        void this.sweep();
      }
    });
  }

  /** The watch of this pod's SparkConnects. */
  readonly watcher: ResourceWatcher<SparkConnectObject>;

  /** The length of an idle "minute" in ms. */
  get unitMs(): number {
    return this._options.unitMs ?? 60_000;
  }

  /**
   * Watch (when the cluster serves SparkConnects: without the CRD the watch
   * starts with the first one created), and sweep (kernel gone, idle) on every
   * change and on a timer.
   */
  start(): void {
    if (!this._probed) {
      this._probed = true;
      void this._served().then(served => {
        if (served) {
          this.watcher.start();
        } else {
          this._log(
            'sparkconnect: the cluster serves no SparkConnects (kubeflow spark-operator ≥ 2.3): not watching them'
          );
        }
      });
    }
    if (!this._timer) {
      // A quarter of the idle unit (15 s for minutes): deadlines are kept to that.
      const every = Math.min(15_000, Math.max(250, this.unitMs / 4));
      this._timer = setInterval(() => void this.sweep(), every);
    }
  }

  stop(): void {
    this.watcher.stop();
    clearInterval(this._timer);
    this._timer = undefined;
  }

  /** Create the SparkConnect of a request; answers its first status. */
  async create(body: unknown): Promise<ISparkConnectStatus> {
    const problems = validateSparkConnectRequest(body);
    const req = body as ISparkConnectRequest;
    if (!problems.length) {
      problems.push(...validateProfile(req.profile));
    }
    if (problems.length) {
      throw new ServiceError(
        400,
        'BadRequest',
        problems.join(' '),
        'Fix the profile in Settings → Spark on Kubernetes and start again.'
      );
    }
    const { namespace, podName } = this._access;
    const manifest = sparkConnectManifest(req, {
      namespace,
      podName,
      owner: this._options.user
    });
    const name = (manifest.metadata as { name: string }).name;
    const { group, version, plural } = SPARK_CONNECT_KIND;
    let created: SparkConnectObject;
    try {
      created = (await this._custom.createNamespacedCustomObject({
        group,
        version,
        plural,
        namespace,
        body: manifest,
        fieldManager: FIELD_MANAGER
      })) as SparkConnectObject;
    } catch (e) {
      const err = this._error(e, 'create', name);
      if (err.status !== 409) {
        throw err;
      }
      // The same session asked twice: its server is the one that exists.
      created = await this._get(name);
      if (created.metadata?.labels?.[SESSION_LABEL] !== req.sessionId) {
        throw new ServiceError(
          409,
          'Conflict',
          `A SparkConnect named "${name}" already exists for another session.`,
          'Start the session again (it gets a new id).'
        );
      }
    }
    this._reasons.delete(name);
    this.watcher.start();
    return this._status(created);
  }

  /** The status of `name` as last seen, or null when it is not known. */
  status(name: string): ISparkConnectStatus | null {
    const cr = this._find(name);
    return cr ? this._status(cr) : null;
  }

  /** Reset the idle clock of `name` (the kernel is running something). */
  async activity(name: string): Promise<void> {
    const { group, version, plural } = SPARK_CONNECT_KIND;
    try {
      await this._custom.patchNamespacedCustomObject(
        {
          group,
          version,
          plural,
          namespace: this._access.namespace,
          name,
          body: {
            metadata: {
              annotations: {
                [LAST_ACTIVITY_ANNOTATION]: new Date().toISOString()
              }
            }
          },
          fieldManager: FIELD_MANAGER
        },
        MERGE
      );
    } catch (e) {
      throw this._error(e, 'patch', name);
    }
  }

  /** Delete `name` (idempotent); `reason` is what its status stream says. */
  async delete(name: string, reason = 'it was stopped'): Promise<boolean> {
    const { podName } = this._access;
    const known = this._find(name);
    const cr = known ?? (await this._get(name).catch(() => null));
    if (!cr) {
      return true;
    }
    const owner = cr.metadata?.labels?.[DRIVER_POD_LABEL];
    if (podName && owner !== podName) {
      throw new ServiceError(
        403,
        'Forbidden',
        `The SparkConnect "${name}" belongs to another Jupyter server (${owner ?? 'none'}); this one deletes only its own.`
      );
    }
    if (!this._reasons.has(name)) {
      this._remember(name, reason);
    }
    const { group, version, plural } = SPARK_CONNECT_KIND;
    try {
      // Its server pod, service and ConfigMap are owned by it (and the executors by
      // the server pod): the garbage collector deletes them.
      await this._custom.deleteNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: this._access.namespace,
        name,
        propagationPolicy: 'Background'
      });
    } catch (e) {
      const err = this._error(e, 'delete', name);
      if (err.status !== 404) {
        this._reasons.delete(name);
        throw err;
      }
    }
    return true;
  }

  /**
   * Delete every SparkConnect of this pod whose kernel is gone or that is idle
   * past its deadline; returns the names.
   */
  async sweep(now: Date = new Date()): Promise<string[]> {
    const { podName } = this._access;
    const doomed: Array<[string, string]> = [];
    for (const cr of this.watcher.objects.values()) {
      const name = cr.metadata?.name;
      if (!name || cr.metadata?.deletionTimestamp || this._inFlight.has(name)) {
        continue;
      }
      const mine =
        !!podName && cr.metadata?.labels?.[DRIVER_POD_LABEL] === podName;
      if (mine && !kernelAlive(cr)) {
        doomed.push([name, 'its kernel is gone']);
        continue;
      }
      const { idleMinutes, deadline } = idleDeadline(
        cr.metadata?.annotations,
        this.unitMs
      );
      if (deadline && now.getTime() >= deadline.getTime()) {
        doomed.push([name, `idle for ${idleMinutes} minutes`]);
      }
    }
    const deleted: string[] = [];
    for (const [name, reason] of doomed) {
      this._inFlight.add(name);
      try {
        this._remember(name, reason);
        await this.delete(name, reason);
        this._log(`sparkconnect: deleted ${name}: ${reason}`);
        deleted.push(name);
      } catch (e) {
        this._log(
          `sparkconnect: could not delete ${name}: ${(e as Error).message}`
        );
      } finally {
        this._inFlight.delete(name);
      }
    }
    return deleted;
  }

  /**
   * Stream the status of `name` as server-sent events (`data:` lines of JSON
   * ISparkConnectStatus): the current one at once, then every change; the
   * stream ends after `deleted`.
   */
  async stream(name: string, res: ServerResponse): Promise<void> {
    this.start();
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no'
    });
    let last = '';
    let ended = false;
    const offs: Array<() => void> = [];
    const end = () => {
      if (!ended) {
        ended = true;
        clearInterval(heartbeat);
        offs.forEach(off => off());
        res.end();
      }
    };
    const send = (status: ISparkConnectStatus) => {
      const text = JSON.stringify(status);
      if (text !== last && !ended) {
        last = text;
        res.write(`data: ${text}\n\n`);
      }
      if (status.state === 'deleted') {
        end();
      }
    };
    // Until the watch has shown it, it may be newer than the watch: asked once.
    let seen = false;
    const update = () => {
      const cr = this._find(name);
      if (cr) {
        seen = true;
        send(this._status(cr));
      }
    };
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    res.on('close', end);
    offs.push(
      this.watcher.onChange(change => {
        if (change.type === 'SYNCED' || change.type === 'STATUS') {
          update();
        } else if (change.object.metadata?.name === name) {
          seen = true;
          if (change.type === 'DELETED') {
            send(this._deleted(name));
          } else {
            send(this._status(change.object));
          }
        }
      }),
      this._pods.pods.onChange(change => {
        if (
          'object' in change &&
          change.object.metadata?.name === `${name}-server`
        ) {
          update();
        }
      }),
      this._pods.events.onChange(change => {
        if (
          'object' in change &&
          change.object.involvedObject?.name === `${name}-server`
        ) {
          update();
        }
      })
    );
    update();
    if (!seen) {
      const cr = await this._get(name).catch((e: ServiceError) => e);
      if (cr instanceof ServiceError) {
        send(
          cr.status === 404
            ? this._deleted(name)
            : { ...this._deleted(name), state: 'failed', reason: cr.message }
        );
      } else if (!seen) {
        send(this._status(cr));
      }
    }
  }

  private _status(cr: SparkConnectObject): ISparkConnectStatus {
    const name = cr.metadata?.name ?? '';
    const session = cr.metadata?.labels?.[SESSION_LABEL] ?? '';
    const pod = this._pods
      .podsOf(session)
      .find(p => p.metadata?.name === `${name}-server`);
    const status = sparkConnectStatus(
      cr,
      pod ? this._pods.summary(pod) : null,
      this.unitMs
    );
    if (status.state === 'creating' && !this.watcher.connected) {
      status.reason = `the service cannot watch SparkConnects: ${this.watcher.error ?? 'not connected'}`;
    } else if (status.state === 'creating') {
      const born = Date.parse(String(cr.metadata?.creationTimestamp ?? ''));
      if (Number.isFinite(born) && Date.now() - born > 30_000) {
        status.reason = `the Spark operator has not created the server after ${Math.round((Date.now() - born) / 1000)} s: is it running (2.3 or later), and does it watch namespace "${this._access.namespace}"?`;
      }
    }
    return status;
  }

  private _deleted(name: string): ISparkConnectStatus {
    const { namespace } = this._access;
    return {
      name,
      namespace,
      state: 'deleted',
      reason: this._reasons.get(name) ?? 'it was deleted outside this panel',
      endpoint: sparkConnectEndpoint(name, namespace),
      idleMinutes: 0,
      idleDeadline: null
    };
  }

  private _find(name: string): SparkConnectObject | undefined {
    for (const cr of this.watcher.objects.values()) {
      if (cr.metadata?.name === name) {
        return cr;
      }
    }
    return undefined;
  }

  private async _get(name: string): Promise<SparkConnectObject> {
    const { group, version, plural } = SPARK_CONNECT_KIND;
    try {
      return (await this._custom.getNamespacedCustomObject({
        group,
        version,
        plural,
        namespace: this._access.namespace,
        name
      })) as SparkConnectObject;
    } catch (e) {
      throw this._error(e, 'get', name);
    }
  }

  /** Whether the API server serves SparkConnects (an error counts as yes: the watch retries). */
  private async _served(): Promise<boolean> {
    const { group, version, plural } = SPARK_CONNECT_KIND;
    try {
      const list = await this._custom.getAPIResources({ group, version });
      return list.resources.some(r => r.name === plural);
    } catch (e) {
      return this._error(e, 'list', '').code !== 'NotInstalled';
    }
  }

  /** A client-node failure in words; a missing CRD gets its own. */
  private _error(e: unknown, verb: string, name: string): ServiceError {
    const err = toServiceError(e, {
      verb,
      resource: SPARK_CONNECT_KIND.plural,
      group: SPARK_CONNECT_KIND.group,
      namespace: this._access.namespace,
      name
    });
    if (err.code === 'NotInstalled') {
      return new ServiceError(
        503,
        'NotInstalled',
        CRD_MISSING,
        'kubectl get crd sparkconnects.sparkoperator.k8s.io shows whether it is there.'
      );
    }
    return err;
  }

  /** Keep why `name` was deleted, for its stream (the latest 500 names). */
  private _remember(name: string, reason: string): void {
    this._reasons.delete(name);
    this._reasons.set(name, reason);
    if (this._reasons.size > 500) {
      this._reasons.delete(this._reasons.keys().next().value as string);
    }
  }

  private _log(message: string): void {
    (this._options.log ?? console.log)(message);
  }

  private _custom: CustomObjectsApi;
  private _timer: ReturnType<typeof setInterval> | undefined;
  private _probed = false;
  private _reasons = new Map<string, string>();
  private _inFlight = new Set<string>();
}
