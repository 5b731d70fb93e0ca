/** Session profiles, the Spark conf they resolve to, and secret scopes. */
export * from './conf';
export * from './profile';
export * from './secrets';
