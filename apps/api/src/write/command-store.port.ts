export const COMMAND_STORE = Symbol('COMMAND_STORE');

export interface StoredReply {
  /** Hash of method, route and body: a key reused for another request is refused. */
  fingerprint: string;
  status: number;
  body: unknown;
}

export type ContactKind = 'email' | 'phone';

export interface ContactClaim {
  kind: ContactKind;
  /** Normalised value; stores keep only a keyed hash of it. */
  value: string;
}

export interface HeldClaim {
  claim: ContactClaim;
  holder: string;
  reservedAt: number;
}

/** State kept beside the event log for the write side: idempotent replies and contact uniqueness. */
export interface CommandStore {
  findReply(scope: string, key: string): Promise<StoredReply | null>;
  saveReply(scope: string, key: string, reply: StoredReply, ttlMs: number): Promise<void>;
  /**
   * Reserves every value for the customer, or none: returns the first value held by another
   * customer. Holders listed in `takeOverFrom` lose their reservation.
   */
  claimContacts(customerId: string, claims: ContactClaim[], takeOverFrom?: ReadonlySet<string>): Promise<HeldClaim | null>;
  releaseContacts(customerId: string, claims: ContactClaim[]): Promise<void>;
  releaseAllContacts(customerId: string): Promise<void>;
  close(): Promise<void>;
}
