/** Notebooks as scripts. */
export * from './notebook';
