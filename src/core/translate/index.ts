/** Cell translation: magics to Python. */
export * from './cell';
export * from './magic';
export * from './pystr';
export * from './sql';
