/**
 * Publishing: the job ConfigMap and its Spark application, applied with
 * server-side apply after a strict server-side dry run of both, the ConfigMap
 * owned by the application, older versions removed. Shared by the service
 * (POST /publish) and the CLI (`spark-k8s publish`).
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions
} from '@kubernetes/client-node';
import type { IManifest, JsonValue } from '../core/manifests';
import { LABELS, MANAGED_BY } from '../core/manifests';
import { describeFailure, IAttempt, IKubeFailure, statusOf } from './errors';
import {
  checkPublication,
  IPublicationObjects,
  mountsConfigMap
} from './publication';
import {
  ApplyResult,
  FIELD_MANAGER,
  IApplyOptions,
  IAppliedApplication,
  toFailure
} from './result';

export { FIELD_MANAGER, conflictsOf, toFailure } from './result';
export type {
  ApplyResult,
  IApplyConflict,
  IApplyOptions,
  IAppliedApplication
} from './result';

const SSA = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

interface IOwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** A copy of the ConfigMap owned by `owner` (the only owner this tool sets). */
function ownedBy(configMap: IManifest, owner?: IOwnerRef): IManifest {
  if (!owner) {
    return configMap;
  }
  const ref: { [key: string]: JsonValue } = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid: owner.uid
  };
  return {
    ...configMap,
    metadata: { ...configMap.metadata, ownerReferences: [ref] }
  };
}

/** Talks to the API server for one publication. */
class Publisher {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly p: IPublicationObjects,
    private readonly options: IApplyOptions
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  private get appAttempt(): IAttempt {
    return {
      verb: 'patch',
      resource: this.p.kind.plural,
      group: this.p.kind.group,
      namespace: this.p.namespace,
      name: this.p.name
    };
  }

  private get cmAttempt(): IAttempt {
    return {
      verb: 'patch',
      resource: 'configmaps',
      namespace: this.p.namespace,
      name: this.p.configMapName
    };
  }

  private applyConfigMap(body: IManifest, dryRun: boolean) {
    return this.core.patchNamespacedConfigMapWithHttpInfo(
      {
        name: this.p.configMapName,
        namespace: this.p.namespace,
        body,
        fieldManager: FIELD_MANAGER,
        fieldValidation: 'Strict',
        force: this.options.force === true,
        dryRun: dryRun ? 'All' : undefined
      },
      SSA
    );
  }

  private applyApplication(dryRun: boolean) {
    const k = this.p.kind;
    return this.custom.patchNamespacedCustomObjectWithHttpInfo(
      {
        group: k.group,
        version: k.version,
        namespace: this.p.namespace,
        plural: k.plural,
        name: this.p.name,
        body: this.p.application,
        fieldManager: FIELD_MANAGER,
        fieldValidation: 'Strict',
        force: this.options.force === true,
        dryRun: dryRun ? 'All' : undefined
      },
      SSA
    );
  }

  /** The application as it is now, or null when there is none. */
  private async currentApplication(): Promise<IManifest | null> {
    const k = this.p.kind;
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: k.group,
        version: k.version,
        namespace: this.p.namespace,
        plural: k.plural,
        name: this.p.name
      })) as IManifest;
    } catch (e) {
      const failure = describeFailure(e, { ...this.appAttempt, verb: 'get' });
      if (failure.reason === 'NotFound') {
        return null;
      }
      throw failure;
    }
  }

  /** Job ConfigMaps of this application name that exist now. */
  private async existingConfigMaps() {
    try {
      const list = await this.core.listNamespacedConfigMap({
        namespace: this.p.namespace,
        labelSelector: `${LABELS.app}=${this.p.name},${LABELS.managedBy}=${MANAGED_BY}`
      });
      return list.items;
    } catch (e) {
      throw describeFailure(e, { ...this.cmAttempt, verb: 'list' });
    }
  }

  private ownerRef(app: IManifest | null): IOwnerRef | undefined {
    const uid = (app?.metadata as { uid?: string } | undefined)?.uid;
    if (!app || !uid) {
      return undefined;
    }
    return {
      apiVersion: this.p.kind.apiVersion,
      kind: this.p.kind.kind,
      name: this.p.name,
      uid
    };
  }

  private applied(uid: string): IAppliedApplication {
    return {
      apiVersion: this.p.kind.apiVersion,
      kind: this.p.kind.kind,
      name: this.p.name,
      namespace: this.p.namespace,
      uid
    };
  }

  /** Older ConfigMaps the application no longer needs: ours (owned by it) or orphans. */
  private stale(
    configMaps: Awaited<ReturnType<Publisher['existingConfigMaps']>>,
    uid: string | undefined,
    app: IManifest | null
  ) {
    return configMaps.filter(cm => {
      const name = cm.metadata?.name ?? '';
      if (!name || name === this.p.configMapName) {
        return false;
      }
      if (app && mountsConfigMap(app.spec, name)) {
        return false;
      }
      const owners = cm.metadata?.ownerReferences ?? [];
      return owners.length === 0 || owners.some(o => o.uid === uid);
    });
  }

  async run(): Promise<ApplyResult> {
    const what = `The ${this.p.kind.kind} "${this.p.name}"`;
    let existing: IManifest | null;
    let before: Awaited<ReturnType<Publisher['existingConfigMaps']>>;
    let dryApp: Awaited<ReturnType<Publisher['applyApplication']>>;
    // 1. What exists, and a strict server-side dry run of both objects.
    try {
      const [app, cms, cmDry, appDry] = await Promise.allSettled([
        this.currentApplication(),
        this.existingConfigMaps(),
        this.applyConfigMap(this.p.configMap, true),
        this.applyApplication(true)
      ]);
      if (cmDry.status === 'rejected') {
        return toFailure(
          describeFailure(cmDry.reason, this.cmAttempt),
          `The ConfigMap "${this.p.configMapName}"`
        );
      }
      if (appDry.status === 'rejected') {
        return toFailure(describeFailure(appDry.reason, this.appAttempt), what);
      }
      for (const r of [app, cms]) {
        if (r.status === 'rejected') {
          throw r.reason;
        }
      }
      existing = (app as PromiseFulfilledResult<IManifest | null>).value;
      before = (cms as PromiseFulfilledResult<typeof before>).value;
      dryApp = appDry.value;
    } catch (e) {
      return toFailure(e as IKubeFailure, what);
    }
    const owner = this.ownerRef(existing);
    if (this.options.dryRun) {
      const uid = owner?.uid ?? (dryApp.data?.metadata?.uid as string) ?? '';
      return {
        ok: true,
        application: this.applied(uid),
        configMap: this.p.configMapName,
        created: !existing,
        removed: this.stale(before, owner?.uid, null).map(
          cm => cm.metadata!.name!
        )
      };
    }

    // 2. The ConfigMap first, so the operator never sees an application
    //    whose job is missing.
    let createdConfigMap: boolean;
    try {
      const r = await this.applyConfigMap(
        ownedBy(this.p.configMap, owner),
        false
      );
      createdConfigMap = r.httpStatusCode === 201;
    } catch (e) {
      return toFailure(
        describeFailure(e, this.cmAttempt),
        `The ConfigMap "${this.p.configMapName}"`
      );
    }

    // 3. The application; on failure, nothing this call created remains.
    let app: IManifest;
    let created: boolean;
    try {
      const r = await this.applyApplication(false);
      app = r.data as IManifest;
      created = r.httpStatusCode === 201;
    } catch (e) {
      if (createdConfigMap) {
        await this.deleteConfigMap(this.p.configMapName).catch(() => false);
      }
      return toFailure(describeFailure(e, this.appAttempt), what);
    }
    const uid = (app.metadata as { uid?: string }).uid ?? '';

    // 4. The ConfigMap is owned by the application (deleting the application
    //    deletes it). Applied again even when it already was, so a ConfigMap
    //    deleted meanwhile by a concurrent publish of another version is back.
    try {
      await this.applyConfigMap(
        ownedBy(this.p.configMap, this.ownerRef(app)),
        false
      );
    } catch (e) {
      return toFailure(
        describeFailure(e, this.cmAttempt),
        `The ConfigMap "${this.p.configMapName}"`
      );
    }

    // 5. Older versions. Only ConfigMaps that existed before this call are
    //    candidates, and never the one the application mounts now (a
    //    concurrent publish may have applied another version since).
    const removed: string[] = [];
    const warnings: string[] = [];
    try {
      const now = await this.currentApplication();
      const stale = this.stale(before, uid, now);
      if (now && !mountsConfigMap(now.spec, this.p.configMapName)) {
        // Another publish won: this version is not used.
        if (createdConfigMap) {
          stale.push({ metadata: { name: this.p.configMapName } });
        }
      }
      for (const cm of stale) {
        const name = cm.metadata!.name!;
        if (await this.deleteConfigMap(name, cm.metadata?.uid)) {
          removed.push(name);
        }
      }
    } catch (e) {
      const f =
        'status' in (e as object)
          ? (e as IKubeFailure)
          : describeFailure(e, { ...this.cmAttempt, verb: 'delete' });
      warnings.push(
        `Published, but older job ConfigMaps were not removed: ${f.message}${f.hint ? ' ' + f.hint : ''}`
      );
    }
    const result: ApplyResult = {
      ok: true,
      application: this.applied(uid),
      configMap: this.p.configMapName,
      created,
      removed
    };
    if (warnings.length) {
      result.warnings = warnings;
    }
    return result;
  }

  /** Deletes a ConfigMap (if still the same object); false when it was already gone. */
  private async deleteConfigMap(name: string, uid?: string): Promise<boolean> {
    try {
      await this.core.deleteNamespacedConfigMap({
        name,
        namespace: this.p.namespace,
        body: uid ? { preconditions: { uid } } : undefined
      });
      return true;
    } catch (e) {
      const status = statusOf(e);
      if (status === 404 || status === 409) {
        return false;
      }
      throw describeFailure(e, {
        verb: 'delete',
        resource: 'configmaps',
        namespace: this.p.namespace,
        name
      });
    }
  }
}

const running = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task of the same key has settled. */
async function serialized<T>(key: string, task: () => Promise<T>): Promise<T> {
  const before = running.get(key) ?? Promise.resolve();
  const mine = before.then(task, task);
  const settled = mine.then(
    () => undefined,
    () => undefined
  );
  running.set(key, settled);
  try {
    return await mine;
  } finally {
    if (running.get(key) === settled) {
      running.delete(key);
    }
  }
}

/**
 * Applies `[configMap, application]` (from `src/core/manifests`): a strict
 * server-side dry run of both first, then server-side apply of the ConfigMap,
 * the application, the ConfigMap's owner reference to the application, and
 * the removal of the application's older job ConfigMaps. Never throws: every
 * failure is an `{ ok: false }` result in plain words.
 */
export async function applyPublication(
  kc: KubeConfig,
  objects: IManifest[],
  options: IApplyOptions = {}
): Promise<ApplyResult> {
  const checked = checkPublication(objects);
  if ('error' in checked) {
    return {
      ok: false,
      code: 400,
      reason: 'BadRequest',
      message: checked.error,
      hint: 'Publish the objects `spark-k8s manifest` or the publish dialog build, unchanged.'
    };
  }
  try {
    // One publish of an application at a time in this process: the removal of
    // older ConfigMaps reads which one the application mounts, and a publish
    // of another version landing in between would otherwise lose its own.
    return await serialized(
      `${checked.namespace}/${checked.kind.kind}/${checked.name}`,
      () => new Publisher(kc, checked, options).run()
    );
  } catch (e) {
    return {
      ok: false,
      code: 500,
      reason: 'Internal',
      message: `Publishing failed: ${(e as Error)?.message ?? String(e)}`
    };
  }
}
