/** Notebooks as scripts, and the runtime bootstrap they share with the kernel. */
export * from './bootstrap';
export * from './notebook';
