/** Notebooks as scripts. */
export * from './notebook';
export * from './job';
