export * from './given-when-then';
export * from './customer.fixtures';
