/** Published applications and schedules as the Jobs view shows them. */
export * from './names';
export * from './summary';
export * from './types';
export * from './ui';
