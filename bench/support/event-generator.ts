import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '@crm/event-store';

const CHANNELS = ['web', 'referral', 'ads', 'event', 'partner', 'other'];
const DAY = 86_400_000;

interface Customer {
  id: string;
  revision: number;
  at: number;
  purchases: number;
  churned: boolean;
  openComplaints: string[];
}

/**
 * A plausible customer history, in business-time order across customers: acquisitions spread over
 * two years, then contacts, purchases, complaints, feedback, churn and win-back. Personal fields hold
 * stand-in ciphertext, as stored events do.
 */
export async function generateEvents(store: EventStore, total: number, customers: number, concurrency = 2000): Promise<void> {
  const start = Date.parse('2024-11-01T00:00:00.000Z');
  const people: Customer[] = [];
  let written = 0;
  const next = (busy: Set<string>): [string, EventToAppend] | null => {
    if (people.length < customers && (people.length === 0 || Math.random() < customers / total)) {
      const c: Customer = { id: randomUUID(), revision: -1, at: start + Math.random() * 700 * DAY, purchases: 0, churned: false, openComplaints: [] };
      people.push(c);
      return [c.id, event(c, 'CustomerAcquired', { name: 'enc:v1:x', email: 'enc:v1:x', channel: CHANNELS[people.length % 6], type: 'consumer', tags: [] })];
    }
    let c = people[Math.floor(Math.random() * people.length)];
    for (let tries = 0; busy.has(c.id); tries++) {
      if (tries === 5) return null;
      c = people[Math.floor(Math.random() * people.length)];
    }
    c.at += Math.random() * 20 * DAY;
    const roll = Math.random();
    if (c.churned) {
      c.churned = false;
      return [c.id, event(c, 'CustomerReactivated', {})];
    }
    if (roll < 0.35) return [c.id, event(c, 'CustomerContacted', { channel: 'phone', direction: 'outbound', outcome: roll < 0.05 ? 'follow-up-needed' : 'reached', summary: 'enc:v1:x' })];
    if (roll < 0.75) {
      c.purchases++;
      return [c.id, event(c, 'PurchaseRecorded', { orderId: randomUUID(), amountMinor: 100 + Math.floor(Math.random() * 200_000), currency: 'CNY' })];
    }
    if (roll < 0.82) {
      const complaintId = randomUUID();
      c.openComplaints.push(complaintId);
      return [c.id, event(c, 'ComplaintFiled', { complaintId, category: 'billing', severity: ['low', 'medium', 'high', 'critical'][Math.floor(Math.random() * 4)], description: 'enc:v1:x' })];
    }
    if (roll < 0.88 && c.openComplaints.length > 0) {
      return [c.id, event(c, 'ComplaintResolved', { complaintId: c.openComplaints.shift()!, resolution: 'enc:v1:x', satisfaction: 4 })];
    }
    if (roll < 0.96) return [c.id, event(c, 'FeedbackGiven', { csat: 1 + Math.floor(Math.random() * 5), nps: Math.floor(Math.random() * 11) })];
    if (roll < 0.98) return [c.id, event(c, 'OwnerAssigned', { ownerId: `owner-${Math.floor(Math.random() * 50)}` })];
    c.churned = true;
    return [c.id, event(c, 'CustomerChurned', { reason: 'enc:v1:x' })];
  };
  while (written < total) {
    const wave = Math.min(concurrency, total - written);
    const appends: Promise<unknown>[] = [];
    const busy = new Set<string>();
    for (let i = 0; i < wave; i++) {
      // One append per customer per wave keeps each stream's revisions in order.
      const picked = next(busy);
      if (!picked) continue;
      busy.add(picked[0]);
      appends.push(store.append(`customer-${picked[0]}`, [picked[1]], 'any'));
    }
    await Promise.all(appends);
    written += appends.length;
  }
}

function event(c: Customer, type: string, data: Record<string, unknown>): EventToAppend {
  c.revision++;
  const eventId = randomUUID();
  const at = new Date(c.at).toISOString();
  return {
    eventId,
    type,
    data: { customerId: c.id, ...data },
    metadata: { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actor: { id: 'key-bench', role: 'service' }, occurredAt: at, recordedAt: at, schemaVersion: 1 },
  };
}
