/** Databricks exports to Jupyter notebooks, and back to SOURCE. */
export * from './formats';
export * from './jobs';
export * from './model';
export * from './names';
export * from './source';
export * from './zip';
