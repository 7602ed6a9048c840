export const ACQUISITION_CHANNELS = ['web', 'referral', 'ads', 'event', 'partner', 'other'] as const;
export const CUSTOMER_TYPES = ['consumer', 'business', 'channel'] as const;
export const CONTACT_CHANNELS = ['phone', 'email', 'visit', 'sms', 'social', 'other'] as const;
export const CONTACT_DIRECTIONS = ['inbound', 'outbound'] as const;
export const CONTACT_OUTCOMES = ['reached', 'no-answer', 'follow-up-needed'] as const;
export const COMPLAINT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export type AcquisitionChannel = (typeof ACQUISITION_CHANNELS)[number];
export type CustomerType = (typeof CUSTOMER_TYPES)[number];
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type ContactDirection = (typeof CONTACT_DIRECTIONS)[number];
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

export const ERASED = '[erased]';

export type Role = 'service' | 'auditor' | 'analyst' | 'admin';

export interface EventMetadata {
  eventId: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: { id: string; role: Role };
  /** Business time, ISO 8601 UTC. */
  occurredAt: string;
  /** When the server recorded the event, ISO 8601 UTC. */
  recordedAt: string;
  schemaVersion: number;
}

type Event<Type extends string, Data> = { type: Type; data: { customerId: string } & Data };

export type CustomerAcquired = Event<
  'CustomerAcquired',
  {
    name: string;
    email?: string;
    phone?: string;
    channel: AcquisitionChannel;
    type: CustomerType;
    region?: string;
    tags: string[];
    ownerId?: string;
  }
>;
export type CustomerContacted = Event<
  'CustomerContacted',
  {
    channel: ContactChannel;
    direction: ContactDirection;
    outcome: ContactOutcome;
    summary?: string;
    nextFollowUpAt?: string;
  }
>;
export type PurchaseRecorded = Event<'PurchaseRecorded', { orderId: string; amountMinor: number; currency: string }>;
export type ComplaintFiled = Event<
  'ComplaintFiled',
  { complaintId: string; category: string; severity: ComplaintSeverity; description: string }
>;
export type ComplaintResolved = Event<'ComplaintResolved', { complaintId: string; resolution: string; satisfaction?: number }>;
export type FeedbackGiven = Event<'FeedbackGiven', { csat?: number; nps?: number; comment?: string }>;
/** Only the fields that changed; `null` clears an optional field. */
export type ProfileUpdated = Event<
  'ProfileUpdated',
  { name?: string; email?: string | null; phone?: string | null; type?: CustomerType; region?: string | null; tags?: string[] }
>;
export type OwnerAssigned = Event<'OwnerAssigned', { ownerId: string }>;
export type CustomerChurned = Event<'CustomerChurned', { reason: string }>;
export type CustomerReactivated = Event<'CustomerReactivated', { reason?: string }>;
export type PersonalDataErased = { type: 'PersonalDataErased'; data: { customerId: string } };

export type CustomerEvent =
  | CustomerAcquired
  | CustomerContacted
  | PurchaseRecorded
  | ComplaintFiled
  | ComplaintResolved
  | FeedbackGiven
  | ProfileUpdated
  | OwnerAssigned
  | CustomerChurned
  | CustomerReactivated
  | PersonalDataErased;

export type CustomerEventType = CustomerEvent['type'];

export type RecordedCustomerEvent = CustomerEvent & { metadata: EventMetadata };

export const CUSTOMER_EVENT_TYPES: readonly CustomerEventType[] = [
  'CustomerAcquired',
  'CustomerContacted',
  'PurchaseRecorded',
  'ComplaintFiled',
  'ComplaintResolved',
  'FeedbackGiven',
  'ProfileUpdated',
  'OwnerAssigned',
  'CustomerChurned',
  'CustomerReactivated',
  'PersonalDataErased',
];

export const CURRENT_SCHEMA_VERSION = 1;
