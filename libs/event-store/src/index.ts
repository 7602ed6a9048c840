export * from './event-store.port';
export * from './expected-revision';
export * from './checkpoint-check';
export * from './sqlite/sqlite-event-store';
export * from './testing/event-store.contract';
export * from './sqlite/sqlite-log-follower';
