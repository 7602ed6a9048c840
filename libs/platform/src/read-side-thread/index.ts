export * from './worker-read-side';
