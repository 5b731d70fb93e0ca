/**
 * Manifests for publishing a notebook as a Spark application: names,
 * quantities, cron, deterministic YAML, the job ConfigMap and the
 * SparkApplication / ScheduledSparkApplication builders for both operators.
 */
export * from './application';
export * from './bytes';
export * from './configmap';
export * from './cron';
export * from './hash';
export * from './labels';
export * from './names';
export * from './quantity';
export * from './types';
export * from './validate';
export * from './yaml';
