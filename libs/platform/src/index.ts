export * from './clock';
export * from './tokens';
export * from './storage.providers';
export * from './feed.providers';
export * from './platform-runtime';
export * from './no-event-log';
export * from './worker/worker-app';
