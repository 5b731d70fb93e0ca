/**
 * What a job owner does from the Jobs view: run a schedule now (neither
 * operator can), run an application again, suspend or resume a schedule,
 * delete an application or a schedule (its runs go with it). Only objects
 * published from notebooks (the managed-by label) are touched.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions
} from '@kubernetes/client-node';
import {
  IScheduleSummary,
  isPublished,
  JOB_VOLUME,
  manualRunName,
  rerunName,
  SCHEDULED_APP_LABEL,
  summarizeSchedule
} from '../core';
import { FIELD_MANAGER } from '../kube/result';
import type { IClusterAccess } from './cluster';
import { ServiceError, toServiceError } from './errors';
import { CustomObject, JobKind, Jobs, KINDS } from './jobs';

export { argumentsOf, JOB_NAME } from './jobs-request';

/** The field manager of the view's own changes (suspend): a re-publish that changes it names this. */
export const JOBS_FIELD_MANAGER = `${FIELD_MANAGER}-jobs`;

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/** The actions, in this pod's namespace. */
export class JobActions {
  constructor(
    private _access: IClusterAccess,
    private _jobs: Jobs,
    private _now: () => Date = () => new Date()
  ) {
    this._custom = _access.kc.makeApiClient(CustomObjectsApi);
    this._core = _access.kc.makeApiClient(CoreV1Api);
  }

  /** "Run now": a SparkApplication from the schedule's template, labelled and owned into its history. */
  async runSchedule(name: string, args?: string[]): Promise<{ run: string }> {
    const schedule = await this._get(KINDS.schedule, name, 'schedule');
    const template = (schedule.spec?.template ?? {}) as {
      [key: string]: unknown;
    };
    const run = manualRunName(name, this._now());
    const meta = schedule.metadata ?? {};
    const body = {
      apiVersion: `${KINDS.kubeflowApp.group}/${KINDS.kubeflowApp.version}`,
      kind: KINDS.kubeflowApp.kind,
      metadata: {
        name: run,
        namespace: this._access.namespace,
        // As the operator labels its runs: the schedule's labels and its name.
        labels: { ...(meta.labels ?? {}), [SCHEDULED_APP_LABEL]: name },
        annotations: { ...(meta.annotations ?? {}) },
        ownerReferences: [this._ownerRef(KINDS.schedule, schedule)]
      },
      spec: { ...template, ...(args ? { arguments: args } : {}) }
    };
    await this._create(KINDS.kubeflowApp, run, body);
    return { run };
  }

  /** A one-off application run again as `<name>-r<time>`, same spec (and ConfigMap), owned like the original. */
  async rerunApplication(
    name: string,
    args?: string[]
  ): Promise<{ run: string }> {
    const { kind, obj } = await this._findApplication(name);
    const run = rerunName(name, this._now());
    const meta = obj.metadata as {
      labels?: { [key: string]: string };
      annotations?: { [key: string]: string };
      ownerReferences?: unknown[];
    };
    const argsKey = kind === KINDS.apacheApp ? 'driverArgs' : 'arguments';
    const body = {
      apiVersion: `${kind.group}/${kind.version}`,
      kind: kind.kind,
      metadata: {
        name: run,
        namespace: this._access.namespace,
        labels: { ...(meta.labels ?? {}) },
        annotations: { ...(meta.annotations ?? {}) },
        ...(meta.ownerReferences?.length
          ? { ownerReferences: meta.ownerReferences }
          : {})
      },
      spec: { ...(obj.spec ?? {}), ...(args ? { [argsKey]: args } : {}) }
    };
    const created = await this._create(kind, run, body);
    // The job ConfigMap is owned by the original; the new run owns it too, so
    // deleting either leaves it for the other.
    await this._shareConfigMap(obj, kind, created);
    return { run };
  }

  /** Suspend or resume a schedule (spec.suspend). */
  async setSuspended(
    name: string,
    suspend: boolean
  ): Promise<IScheduleSummary> {
    await this._get(KINDS.schedule, name, 'schedule');
    const { group, version, plural } = KINDS.schedule;
    try {
      const out = await this._custom.patchNamespacedCustomObject(
        {
          group,
          version,
          plural,
          namespace: this._access.namespace,
          name,
          body: { spec: { suspend } },
          fieldManager: JOBS_FIELD_MANAGER
        },
        MERGE
      );
      return summarizeSchedule(out);
    } catch (e) {
      throw toServiceError(e, this._attempt('patch', KINDS.schedule, name));
    }
  }

  /** Delete an application or a schedule (the garbage collector deletes what it owns). */
  async deleteJob(
    what: 'application' | 'schedule',
    name: string
  ): Promise<{ deleted: string }> {
    const kind =
      what === 'schedule'
        ? KINDS.schedule
        : (await this._findApplication(name)).kind;
    if (what === 'schedule') {
      await this._get(kind, name, 'schedule');
    }
    try {
      await this._custom.deleteNamespacedCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        namespace: this._access.namespace,
        name,
        propagationPolicy: 'Background'
      });
    } catch (e) {
      throw toServiceError(e, this._attempt('delete', kind, name));
    }
    return { deleted: name };
  }

  /** A published application of either operator, kubeflow first. */
  async _findApplication(
    name: string
  ): Promise<{ kind: JobKind; obj: CustomObject }> {
    await this._jobs.start();
    const kinds: JobKind[] = [KINDS.kubeflowApp];
    if (this._jobs.apacheServed) {
      kinds.push(KINDS.apacheApp);
    }
    for (const kind of kinds) {
      const obj = await this._get(kind, name, 'application', true);
      if (obj) {
        return { kind, obj };
      }
    }
    throw new ServiceError(
      404,
      'NotFound',
      `There is no Spark application "${name}" in namespace "${this._access.namespace}": it may have been deleted (a schedule keeps only its last runs).`
    );
  }

  /** GET one published object; a missing one is a 404 in words (or null when `missingOk`). */
  async _get(kind: JobKind, name: string, noun: string): Promise<CustomObject>;
  async _get(
    kind: JobKind,
    name: string,
    noun: string,
    missingOk: boolean
  ): Promise<CustomObject | null>;
  async _get(
    kind: JobKind,
    name: string,
    noun: string,
    missingOk = false
  ): Promise<CustomObject | null> {
    let obj: CustomObject;
    try {
      obj = await this._custom.getNamespacedCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        namespace: this._access.namespace,
        name
      });
    } catch (e) {
      const err = toServiceError(e, this._attempt('get', kind, name));
      if (err.status === 404 && err.code === 'NotFound') {
        if (missingOk) {
          return null;
        }
        throw new ServiceError(
          404,
          'NotFound',
          `There is no ${noun} "${name}" in namespace "${this._access.namespace}": it may have been deleted.`
        );
      }
      throw err;
    }
    if (!isPublished(obj)) {
      throw new ServiceError(
        403,
        'NotPublished',
        `The ${noun} "${name}" was not published from a notebook (it lacks the label spark-k8s.jupyter.org/managed-by=jupyterlab-spark-k8s), so the Jobs view leaves it alone.`,
        'Manage it with the tool that created it (kubectl, a GitOps controller).'
      );
    }
    return obj;
  }

  private async _create(
    kind: JobKind,
    name: string,
    body: object
  ): Promise<CustomObject> {
    try {
      return await this._custom.createNamespacedCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
        namespace: this._access.namespace,
        body,
        fieldManager: FIELD_MANAGER
      });
    } catch (e) {
      const err = toServiceError(e, this._attempt('create', kind, name));
      if (err.status === 409) {
        throw new ServiceError(
          409,
          'Conflict',
          `A run named "${name}" already exists: a run was started this same second.`,
          'Wait a second and try again.'
        );
      }
      throw err;
    }
  }

  private async _shareConfigMap(
    original: CustomObject,
    kind: JobKind,
    created: CustomObject
  ): Promise<void> {
    const spec = original.spec as {
      driver?: { template?: { spec?: { volumes?: unknown[] } } };
      driverSpec?: {
        podTemplateSpec?: { spec?: { volumes?: unknown[] } };
      };
    };
    const volumes = (spec.driver?.template?.spec?.volumes ??
      spec.driverSpec?.podTemplateSpec?.spec?.volumes ??
      []) as Array<{ name?: string; configMap?: { name?: string } }>;
    const configMap = volumes.find(v => v.name === JOB_VOLUME)?.configMap?.name;
    if (!configMap) {
      return;
    }
    const namespace = this._access.namespace;
    try {
      const cm = await this._core.readNamespacedConfigMap({
        name: configMap,
        namespace
      });
      const patch = [
        ...(cm.metadata?.ownerReferences
          ? []
          : [{ op: 'add', path: '/metadata/ownerReferences', value: [] }]),
        {
          op: 'add',
          path: '/metadata/ownerReferences/-',
          value: this._ownerRef(kind, created)
        }
      ];
      await this._core.patchNamespacedConfigMap(
        { name: configMap, namespace, body: patch },
        JSON_PATCH
      );
    } catch (e) {
      // The run was created; without the shared owner its ConfigMap goes
      // when the original is deleted. Say so rather than fail the run.
      console.error(
        `spark-k8s service: ${toServiceError(e, { verb: 'patch', resource: 'configmaps', namespace, name: configMap }).message}`
      );
    }
  }

  private _ownerRef(kind: JobKind, obj: CustomObject) {
    return {
      apiVersion: `${kind.group}/${kind.version}`,
      kind: kind.kind,
      name: String(obj.metadata?.name ?? ''),
      uid: String(obj.metadata?.uid ?? '')
    };
  }

  private _attempt(verb: string, kind: JobKind, name: string) {
    return {
      verb,
      resource: kind.plural,
      group: kind.group,
      namespace: this._access.namespace,
      name
    };
  }

  private _custom: CustomObjectsApi;
  private _core: CoreV1Api;
}
