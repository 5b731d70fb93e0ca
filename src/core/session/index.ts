/** Session profiles, the Spark conf they resolve to, and secret scopes. */
export * from './conf';
export * from './migration';
export * from './profile';
export * from './secrets';
export * from './storage';
