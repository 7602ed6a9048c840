export * from './key-store.port';
export * from './sqlite-key-store';
export * from './mongo-key-store';
export * from './personal-data-cipher';
