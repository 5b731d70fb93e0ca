/**
 * The pure core shared by the browser, the service and the CLI: no DOM, no
 * Node built-ins.
 */
export * from './cluster';
export * from './databricks';
export * from './jobs';
export * from './kernel';
export * from './manifests';
export * from './publish';
export * from './script';
export * from './session';
export * from './translate';
