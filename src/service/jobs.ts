/**
 * The Jobs view's data: one shared list+watch of the published kubeflow
 * SparkApplications and ScheduledSparkApplications (and Apache
 * SparkApplications when that CRD is served) in this pod's namespace, started
 * by the first view and fanned out to every open view as server-sent events.
 */
import { ApisApi, CustomObjectsApi } from '@kubernetes/client-node';
import type { ServerResponse } from 'node:http';
import {
  IRunSummary,
  IScheduleSummary,
  JobsStreamMessage,
  LABELS,
  MANAGED_BY,
  summarizeApplication,
  summarizeSchedule
} from '../core';
import { describeFailure } from '../kube/errors';
import type { IClusterAccess } from './cluster';
import { ResourceWatcher, IObject, WatchChange } from './watch';

/** The kinds this module watches. */
export const KINDS = {
  kubeflowApp: {
    group: 'sparkoperator.k8s.io',
    version: 'v1beta2',
    plural: 'sparkapplications',
    kind: 'SparkApplication'
  },
  schedule: {
    group: 'sparkoperator.k8s.io',
    version: 'v1beta2',
    plural: 'scheduledsparkapplications',
    kind: 'ScheduledSparkApplication'
  },
  apacheApp: {
    group: 'spark.apache.org',
    version: 'v1',
    plural: 'sparkapplications',
    kind: 'SparkApplication'
  }
} as const;

/** One of KINDS. */
export type JobKind = (typeof KINDS)[keyof typeof KINDS];

/** Every published object carries this label (runs of schedules copy it). */
export const PUBLISHED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

/** A custom object as the API server returns it. */
export type CustomObject = IObject & {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    labels?: { [key: string]: string };
    annotations?: { [key: string]: string };
  };
  spec?: { [key: string]: unknown };
  status?: { [key: string]: unknown };
};

/** How long a new view waits for the first list before its snapshot. */
const SNAPSHOT_WAIT_MS = 5000;

/** The shared watches of published jobs. */
export class Jobs {
  constructor(private _access: IClusterAccess) {
    this._custom = _access.kc.makeApiClient(CustomObjectsApi);
  }

  /** The watchers, once started (Apache only when its CRD is served). */
  readonly watchers: {
    kubeflowApp?: ResourceWatcher<CustomObject>;
    schedule?: ResourceWatcher<CustomObject>;
    apacheApp?: ResourceWatcher<CustomObject>;
  } = {};

  /** Whether the Apache operator's SparkApplication is served. */
  apacheServed = false;

  /** Why nothing can be watched (the kubeflow operator is not installed …). */
  problem: string | undefined;

  /** Discover what is served and start the watches (once; again after a problem). */
  start(): Promise<void> {
    if (!this._starting || this.problem) {
      this._starting = this._start();
    }
    return this._starting;
  }

  stop(): void {
    for (const w of Object.values(this.watchers)) {
      w?.stop();
    }
  }

  /** The current summaries. */
  runs(): IRunSummary[] {
    const out: IRunSummary[] = [];
    for (const key of ['kubeflowApp', 'apacheApp'] as const) {
      for (const obj of this.watchers[key]?.objects.values() ?? []) {
        out.push(summarizeApplication(obj));
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  schedules(): IScheduleSummary[] {
    return [...(this.watchers.schedule?.objects.values() ?? [])]
      .map(o => summarizeSchedule(o))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether every started watch is connected. */
  get connected(): boolean {
    const ws = Object.values(this.watchers);
    return !this.problem && ws.length > 0 && ws.every(w => w?.connected);
  }

  /** Stream the jobs as server-sent events until the client leaves. */
  async stream(res: ServerResponse): Promise<void> {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no'
    });
    let closed = false;
    const offs: Array<() => void> = [];
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    res.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      offs.forEach(off => off());
    });
    const send = (m: JobsStreamMessage) => {
      if (!closed) {
        res.write(`event: ${m.type}\ndata: ${JSON.stringify(m)}\n\n`);
      }
    };
    // Changes that arrive while the snapshot is awaited are sent after it.
    let pending: JobsStreamMessage[] | null = [];
    const deliver = (m: JobsStreamMessage) =>
      pending ? pending.push(m) : send(m);
    await this.start();
    for (const [key, watcher] of Object.entries(this.watchers)) {
      if (watcher) {
        offs.push(watcher.onChange(c => this._forward(key, c, deliver)));
      }
    }
    await this._synced(SNAPSHOT_WAIT_MS);
    if (closed) {
      return;
    }
    send({
      type: 'snapshot',
      runs: this.runs(),
      schedules: this.schedules(),
      connected: this.connected
    });
    const status = this._status();
    if (status) {
      send(status);
    }
    const queued = pending;
    pending = null;
    // The snapshot already holds what the first list found.
    queued.filter(m => m.type !== 'run' && m.type !== 'schedule').forEach(send);
  }

  /** A status message naming the problem, if there is one. */
  private _status(): JobsStreamMessage | null {
    if (this.problem) {
      return { type: 'status', connected: false, error: this.problem };
    }
    const failing = Object.values(this.watchers).find(w => w?.error);
    return failing
      ? { type: 'status', connected: false, error: failing.error }
      : null;
  }

  private _forward(
    key: string,
    change: WatchChange<CustomObject>,
    send: (m: JobsStreamMessage) => void
  ): void {
    if (change.type === 'SYNCED') {
      return;
    }
    if (change.type === 'STATUS') {
      send(
        change.connected
          ? { type: 'status', connected: this.connected }
          : { type: 'status', connected: false, error: change.error }
      );
      return;
    }
    const obj = change.object;
    const name = String(obj.metadata?.name ?? '');
    if (key === 'schedule') {
      send(
        change.type === 'DELETED'
          ? { type: 'schedule-deleted', name }
          : { type: 'schedule', schedule: summarizeSchedule(obj) }
      );
    } else {
      send(
        change.type === 'DELETED'
          ? { type: 'run-deleted', name }
          : { type: 'run', run: summarizeApplication(obj) }
      );
    }
  }

  private _synced(timeoutMs: number): Promise<void> {
    const all = Object.values(this.watchers).filter(
      (w): w is ResourceWatcher<CustomObject> => !!w
    );
    if (all.every(w => w.synced)) {
      return Promise.resolve();
    }
    return new Promise(resolve => {
      const offs: Array<() => void> = [];
      const done = () => {
        clearTimeout(timer);
        offs.forEach(off => off());
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      for (const w of all) {
        offs.push(
          w.onChange(c => {
            if (
              (c.type === 'SYNCED' || (c.type === 'STATUS' && c.error)) &&
              all.every(x => x.synced || x.error)
            ) {
              done();
            }
          })
        );
      }
    });
  }

  private async _start(): Promise<void> {
    const served = await this._served();
    if (typeof served === 'string') {
      this.problem = served;
      return;
    }
    this.problem = served.kubeflow
      ? undefined
      : 'The kubeflow Spark operator is not installed in this cluster: its CRDs sparkapplications.sparkoperator.k8s.io and scheduledsparkapplications.sparkoperator.k8s.io are missing. Ask a cluster admin to install the operator.';
    this.apacheServed = served.apache;
    if (served.kubeflow) {
      this.watchers.kubeflowApp ??= this._watcher(KINDS.kubeflowApp);
      this.watchers.schedule ??= this._watcher(KINDS.schedule);
    }
    if (served.apache) {
      this.watchers.apacheApp ??= this._watcher(KINDS.apacheApp);
    }
    for (const w of Object.values(this.watchers)) {
      w?.start();
    }
  }

  /** Which operators' groups the API server serves, or why it cannot tell. */
  private async _served(): Promise<
    { kubeflow: boolean; apache: boolean } | string
  > {
    try {
      const groups = await this._access.kc
        .makeApiClient(ApisApi)
        .getAPIVersions();
      const serves = (name: string, version: string) =>
        groups.groups.some(
          g => g.name === name && g.versions.some(v => v.version === version)
        );
      return {
        kubeflow: serves('sparkoperator.k8s.io', 'v1beta2'),
        apache: serves('spark.apache.org', 'v1')
      };
    } catch (e) {
      const f = describeFailure(e, { verb: 'get', resource: 'API groups' });
      return `${f.message}${f.hint ? ' ' + f.hint : ''}`;
    }
  }

  private _watcher(kind: JobKind): ResourceWatcher<CustomObject> {
    const { kc, namespace } = this._access;
    const { group, version, plural } = kind;
    return new ResourceWatcher<CustomObject>(kc, {
      path: `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      labelSelector: PUBLISHED_SELECTOR,
      // Three more watches beside the pods': renewed every 14-16 min, an idle
      // view stays well under one API request a minute.
      timeoutSeconds: 840 + Math.floor(Math.random() * 120),
      list: () =>
        this._custom.listNamespacedCustomObject({
          group,
          version,
          namespace,
          plural,
          labelSelector: PUBLISHED_SELECTOR
        }),
      describe: err => {
        const f = describeFailure(err, {
          verb: 'watch',
          resource: plural,
          group,
          namespace
        });
        return `${f.message}${f.hint ? ' ' + f.hint : ''}`;
      }
    });
  }

  private _custom: CustomObjectsApi;
  private _starting: Promise<void> | null = null;
}
