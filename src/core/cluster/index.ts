/** Cluster discovery types, RBAC needs and pod summaries. */
export * from './permissions';
export * from './pods';
export * from './sparkconnect';
export * from './types';
