/** Session profiles and Spark conf. */
export * from './profile';
