/**
 * Publishing a notebook: the form (with defaults from the session profile),
 * its problems at each field, and the objects it becomes.
 */
export * from './build';
export * from './defaults';
export * from './parameters';
export * from './secrets';
export * from './types';
export * from './validate';
