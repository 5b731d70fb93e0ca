/** Cell translation: magics to Python. */
export * from './cell';
export * from './run';
export * from './magic';
export * from './sql';
export * from './python';
