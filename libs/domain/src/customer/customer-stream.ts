export const CUSTOMER_CATEGORY = 'customer';

export function customerStreamId(customerId: string): string {
  return `${CUSTOMER_CATEGORY}-${customerId}`;
}

export function customerIdFromStream(streamId: string): string {
  const prefix = `${CUSTOMER_CATEGORY}-`;
  if (!streamId.startsWith(prefix)) throw new Error(`Not a customer stream: ${streamId}`);
  return streamId.slice(prefix.length);
}
