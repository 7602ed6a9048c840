import { randomUUID } from 'node:crypto';

/** A valid acquisition body; unique email and phone so tests never collide on uniqueness. */
export function newCustomer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = Math.floor(Math.random() * 1e8)
    .toString()
    .padStart(8, '0');
  return {
    customerId: randomUUID(),
    name: `Customer ${n}`,
    email: `c${n}-${randomUUID().slice(0, 8)}@example.com`,
    phone: `+86138${n}`,
    channel: 'web',
    type: 'consumer',
    region: 'east',
    tags: ['trial'],
    ...overrides,
  };
}
