export * from './given-when-then';
export * from './customer.fixtures';
export * from './free-port';
export * from './until';
export * from './describe-with-server';
