/**
 * The ConfigMap that carries a job: its script as text and the runtime
 * archive as binary, named by content hash so each version is immutable.
 */
import { base64Encode, utf8Encode } from './bytes';
import { sha256Hex } from './hash';
import { validateDataKey, validateDnsLabel, validateName } from './names';
import type { IManifest } from './types';

/** Where the job ConfigMap is mounted in driver and executor containers. */
export const JOB_MOUNT_PATH = '/opt/spark-k8s/job';

/** Most bytes a job ConfigMap may hold: Kubernetes' 1 MiB limit minus headroom for metadata. */
export const CONFIGMAP_MAX_BYTES = 1000000;

/** What goes into a job ConfigMap. */
export interface IJobConfigMapInput {
  /** The application name; the ConfigMap is `<appName>-<10 hex of the hash>`. */
  appName: string;
  namespace: string;
  /** Text files (the job script) by file name. */
  files: { [name: string]: string };
  /** Binary files (the runtime zip) by file name. */
  binaryFiles?: { [name: string]: Uint8Array };
  labels?: { [key: string]: string };
  annotations?: { [key: string]: string };
}

/** A built job ConfigMap with its content hash and size. */
export interface IJobConfigMap {
  manifest: IManifest;
  /** SHA-256 (hex) over file names and contents. */
  hash: string;
  /** Bytes Kubernetes counts against the limit (names plus contents). */
  bytes: number;
}

/** SHA-256 over the files' names, kinds and contents, independent of key order. */
export function jobContentHash(
  files: { [name: string]: string },
  binaryFiles: { [name: string]: Uint8Array } = {}
): string {
  const entries: Array<[string, number, Uint8Array]> = [];
  for (const name of Object.keys(files)) {
    entries.push([name, 1, utf8Encode(files[name])]);
  }
  for (const name of Object.keys(binaryFiles)) {
    entries.push([name, 2, binaryFiles[name]]);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const parts: Uint8Array[] = [];
  for (const [name, kind, content] of entries) {
    // name, NUL, kind, 4-byte length, content: unambiguous framing.
    const head = utf8Encode(name);
    const frame = new Uint8Array(head.length + 6);
    frame.set(head);
    frame[head.length] = 0;
    frame[head.length + 1] = kind;
    new DataView(frame.buffer).setUint32(head.length + 2, content.length);
    parts.push(frame, content);
  }
  let total = 0;
  for (const part of parts) {
    total += part.length;
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return sha256Hex(all);
}

/** The content-addressed name of a job ConfigMap. */
export function jobConfigMapName(appName: string, hash: string): string {
  return `${appName}-${hash.slice(0, 10)}`;
}

/** Builds the job ConfigMap, or explains why it cannot (bad names, too large). */
export function buildJobConfigMap(
  input: IJobConfigMapInput
): IJobConfigMap | { error: string } {
  const binaryFiles = input.binaryFiles || {};
  const problems: string[] = [];
  const nameProblem = validateName(input.appName);
  if (nameProblem) {
    problems.push(nameProblem);
  }
  const nsProblem = validateDnsLabel(input.namespace, 'namespace');
  if (nsProblem) {
    problems.push(nsProblem);
  }
  const names = Object.keys(input.files).concat(Object.keys(binaryFiles));
  for (const name of names) {
    const problem = validateDataKey(name);
    if (problem) {
      problems.push(problem);
    }
  }
  const dup = names.find((name, i) => names.indexOf(name) !== i);
  if (dup !== undefined) {
    problems.push(
      `file name "${dup}" is used for both a text and a binary file.`
    );
  }
  if (problems.length) {
    return { error: problems.join(' ') };
  }

  let bytes = 0;
  const data: { [name: string]: string } = {};
  for (const name of Object.keys(input.files).sort()) {
    const encoded = utf8Encode(input.files[name]);
    bytes += name.length + encoded.length;
    data[name] = input.files[name];
  }
  const binaryData: { [name: string]: string } = {};
  for (const name of Object.keys(binaryFiles).sort()) {
    bytes += name.length + binaryFiles[name].length;
  }
  if (bytes > CONFIGMAP_MAX_BYTES) {
    const sizes = Object.keys(input.files)
      .map(n => `${n} ${formatBytes(utf8Encode(input.files[n]).length)}`)
      .concat(
        Object.keys(binaryFiles).map(
          n => `${n} ${formatBytes(binaryFiles[n].length)}`
        )
      )
      .join(', ');
    return {
      error: `The job is ${formatBytes(bytes)} bytes (${sizes}); a ConfigMap holds at most ${formatBytes(CONFIGMAP_MAX_BYTES)} bytes (Kubernetes' limit is 1 MiB). Make the notebook and the notebooks it runs smaller, or move data out of them.`
    };
  }
  for (const name of Object.keys(binaryFiles).sort()) {
    binaryData[name] = base64Encode(binaryFiles[name]);
  }
  const hash = jobContentHash(input.files, binaryFiles);
  const metadata: IManifest['metadata'] = {
    name: jobConfigMapName(input.appName, hash),
    namespace: input.namespace
  };
  if (input.labels && Object.keys(input.labels).length) {
    metadata.labels = input.labels;
  }
  if (input.annotations && Object.keys(input.annotations).length) {
    metadata.annotations = input.annotations;
  }
  const manifest: IManifest = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata,
    // The name is the content hash: a new version is a new ConfigMap.
    immutable: true
  };
  if (Object.keys(data).length) {
    manifest.data = data;
  }
  if (Object.keys(binaryData).length) {
    manifest.binaryData = binaryData;
  }
  return { manifest, hash, bytes };
}

/** Formats a byte count with thousands separators (locale-independent). */
export function formatBytes(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
