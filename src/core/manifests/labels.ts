/**
 * The labels and annotations every published object carries, under
 * `spark-k8s.jupyter.org/`.
 */
import { LABEL_PREFIX, toLabelValue } from './names';
import type { IJobSource } from './types';

/** Value of the managed-by label. */
export const MANAGED_BY = 'jupyterlab-spark-k8s';

/** Label keys (selectable). */
export const LABELS = {
  app: `${LABEL_PREFIX}app`,
  managedBy: `${LABEL_PREFIX}managed-by`,
  owner: `${LABEL_PREFIX}owner`
};

/** Annotation keys (exact values, any text). */
export const ANNOTATIONS = {
  notebookPath: `${LABEL_PREFIX}notebook-path`,
  contentHash: `${LABEL_PREFIX}content-hash`,
  owner: `${LABEL_PREFIX}owner`
};

/** The labels of an application, its ConfigMap and its pods, in a stable order. */
export function jobLabels(
  name: string,
  source: IJobSource,
  extra: { [key: string]: string } = {}
): { [key: string]: string } {
  const labels: { [key: string]: string } = { ...extra };
  labels[LABELS.app] = name;
  labels[LABELS.managedBy] = MANAGED_BY;
  const owner = source.owner ? toLabelValue(source.owner) : '';
  if (owner) {
    labels[LABELS.owner] = owner;
  }
  return sortedRecord(labels);
}

/** The annotations of an application and its ConfigMap, in a stable order. */
export function jobAnnotations(
  source: IJobSource,
  extra: { [key: string]: string } = {}
): { [key: string]: string } {
  const annotations: { [key: string]: string } = { ...extra };
  annotations[ANNOTATIONS.notebookPath] = source.notebookPath;
  annotations[ANNOTATIONS.contentHash] = source.contentHash;
  if (source.owner) {
    annotations[ANNOTATIONS.owner] = source.owner;
  }
  return sortedRecord(annotations);
}

/** A copy of a string record with its keys sorted, so output never depends on input order. */
export function sortedRecord(record: { [key: string]: string }): {
  [key: string]: string;
} {
  const out: { [key: string]: string } = {};
  for (const key of Object.keys(record).sort()) {
    out[key] = record[key];
  }
  return out;
}
