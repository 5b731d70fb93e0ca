/**
 * Node-side Kubernetes code shared by the service and the CLI: server-side
 * apply of a publication, and API failures in plain words.
 */
export * from './apply';
export * from './errors';
export * from './publication';
