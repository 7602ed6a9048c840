import { Inject, Injectable } from '@nestjs/common';
import { type CustomerEvent, type CustomerState, DomainError } from '@crm/domain';
import { COMMAND_STORE, type CommandStore, type ContactClaim, type HeldClaim } from './command-store.port';
import { CustomerAggregates } from './customer-aggregates';

/** A reservation whose holder never got its stream written (crash between reserve and append) is stale after this. */
const ORPHAN_AFTER_MS = 60_000;

function contactsOf(values: { email?: string | null; phone?: string | null }): ContactClaim[] {
  const claims: ContactClaim[] = [];
  if (values.email) claims.push({ kind: 'email', value: values.email });
  if (values.phone) claims.push({ kind: 'phone', value: values.phone });
  return claims;
}

/**
 * Email and phone are unique among live customers (SPEC). Reservations are taken before the append
 * and released when a value is replaced or erased. A churned, erased or orphaned holder does not
 * block: its reservation is taken over.
 */
@Injectable()
export class ContactUniqueness {
  constructor(
    @Inject(COMMAND_STORE) private readonly store: CommandStore,
    private readonly aggregates: CustomerAggregates,
  ) {}

  /** Reserves what the events claim; throws DUPLICATE_EMAIL / DUPLICATE_PHONE with the holder's id. */
  async reserve(customerId: string, state: CustomerState, events: CustomerEvent[]): Promise<ContactClaim[]> {
    const claims = events.flatMap((e) => {
      if (e.type === 'CustomerAcquired' || e.type === 'ProfileUpdated') return contactsOf(e.data);
      if (e.type === 'CustomerReactivated') return contactsOf(state);
      return [];
    });
    if (claims.length === 0) return claims;
    const takeOver = new Set<string>();
    for (;;) {
      const held = await this.store.claimContacts(customerId, claims, takeOver);
      if (!held) return claims;
      if (await this.blocks(held)) {
        const code = held.claim.kind === 'email' ? 'DUPLICATE_EMAIL' : 'DUPLICATE_PHONE';
        throw new DomainError(code, 'conflict', `Another live customer has this ${held.claim.kind}`, {
          existingCustomerId: held.holder,
        });
      }
      takeOver.add(held.holder);
    }
  }

  async undo(customerId: string, claims: ContactClaim[]): Promise<void> {
    if (claims.length > 0) await this.store.releaseContacts(customerId, claims);
  }

  /** After a successful append: frees replaced values, or all of them on erasure. */
  async settle(customerId: string, before: CustomerState, events: CustomerEvent[]): Promise<void> {
    for (const e of events) {
      if (e.type === 'PersonalDataErased') await this.store.releaseAllContacts(customerId);
      if (e.type === 'ProfileUpdated') {
        const replaced = contactsOf({
          email: e.data.email !== undefined ? before.email : undefined,
          phone: e.data.phone !== undefined ? before.phone : undefined,
        });
        await this.undo(customerId, replaced);
      }
    }
  }

  private async blocks(held: HeldClaim): Promise<boolean> {
    const holder = (await this.aggregates.refresh(held.holder)).state;
    if (!holder.exists) return Date.now() - held.reservedAt < ORPHAN_AFTER_MS;
    return !holder.erased && holder.stage !== 'churned';
  }
}
