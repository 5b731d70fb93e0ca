/**
 * What a publication may contain: exactly one job ConfigMap and one Spark
 * application that mounts it. Checked before anything reaches the API server.
 */
import type { IManifest, JsonValue } from '../core/manifests';

/** An application kind publishing may apply, and where the API serves it. */
export interface IApplicationKind {
  apiVersion: string;
  kind: string;
  group: string;
  version: string;
  plural: string;
}

/** The application kinds of both operators. */
export const APPLICATION_KINDS: readonly IApplicationKind[] = [
  {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    group: 'sparkoperator.k8s.io',
    version: 'v1beta2',
    plural: 'sparkapplications'
  },
  {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'ScheduledSparkApplication',
    group: 'sparkoperator.k8s.io',
    version: 'v1beta2',
    plural: 'scheduledsparkapplications'
  },
  {
    apiVersion: 'spark.apache.org/v1',
    kind: 'SparkApplication',
    group: 'spark.apache.org',
    version: 'v1',
    plural: 'sparkapplications'
  }
];

/** A checked publication: its two objects and where they go. */
export interface IPublicationObjects {
  configMap: IManifest;
  application: IManifest;
  kind: IApplicationKind;
  namespace: string;
  /** Application name. */
  name: string;
  /** ConfigMap name. */
  configMapName: string;
}

/** The application kind of a manifest, or undefined when publishing does not apply it. */
export function applicationKind(
  manifest: Pick<IManifest, 'apiVersion' | 'kind'>
): IApplicationKind | undefined {
  return APPLICATION_KINDS.find(
    k => k.apiVersion === manifest.apiVersion && k.kind === manifest.kind
  );
}

function isObject(v: unknown): v is { [key: string]: JsonValue } {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** True when some pod volume of `value` mounts the ConfigMap `name`. */
export function mountsConfigMap(value: unknown, name: string): boolean {
  if (Array.isArray(value)) {
    return value.some(v => mountsConfigMap(v, name));
  }
  if (!isObject(value)) {
    return false;
  }
  const cm = value.configMap;
  if (isObject(cm) && cm.name === name) {
    return true;
  }
  return Object.keys(value).some(k => mountsConfigMap(value[k], name));
}

/**
 * Checks that `objects` are one ConfigMap (`v1`) and one application of a
 * known kind in the same namespace, the application mounting the ConfigMap.
 * Returns the pair in apply order, or what is wrong in plain words.
 */
export function checkPublication(
  objects: unknown,
  defaultNamespace?: string
): IPublicationObjects | { error: string } {
  const kinds = APPLICATION_KINDS.map(k => `${k.apiVersion} ${k.kind}`).join(
    ', '
  );
  const expected = `Expected exactly two objects: one v1 ConfigMap (the job) and one application (${kinds}).`;
  if (!Array.isArray(objects) || objects.length !== 2) {
    return { error: expected };
  }
  for (const o of objects) {
    if (
      !isObject(o) ||
      typeof o.apiVersion !== 'string' ||
      typeof o.kind !== 'string' ||
      !isObject(o.metadata)
    ) {
      return {
        error: `${expected} Each needs apiVersion, kind and metadata.`
      };
    }
  }
  const manifests = objects as IManifest[];
  const configMaps = manifests.filter(
    o => o.apiVersion === 'v1' && o.kind === 'ConfigMap'
  );
  const apps = manifests.filter(o => applicationKind(o));
  if (configMaps.length !== 1 || apps.length !== 1) {
    const got = manifests.map(o => `${o.apiVersion} ${o.kind}`).join(' and ');
    return { error: `${expected} Got ${got}.` };
  }
  const [configMap] = configMaps;
  const [application] = apps;
  const names: string[] = [];
  for (const o of [configMap, application]) {
    const name = o.metadata.name;
    if (typeof name !== 'string' || !name) {
      return { error: `The ${o.kind} has no metadata.name.` };
    }
    names.push(name);
  }
  const namespaces = [configMap, application].map(o =>
    typeof o.metadata.namespace === 'string' && o.metadata.namespace
      ? o.metadata.namespace
      : defaultNamespace
  );
  if (!namespaces[0] || !namespaces[1]) {
    return {
      error: 'Both objects need metadata.namespace (or a default namespace).'
    };
  }
  if (namespaces[0] !== namespaces[1]) {
    return {
      error: `The ConfigMap is in namespace "${namespaces[0]}" and the ${application.kind} in "${namespaces[1]}": both must be in the same namespace.`
    };
  }
  if (!mountsConfigMap(application.spec, names[0])) {
    return {
      error: `The ${application.kind} "${names[1]}" does not mount the ConfigMap "${names[0]}" it is published with.`
    };
  }
  return {
    configMap,
    application,
    kind: applicationKind(application)!,
    namespace: namespaces[0],
    name: names[1],
    configMapName: names[0]
  };
}
