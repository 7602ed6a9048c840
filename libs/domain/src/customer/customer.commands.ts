import type {
  AcquisitionChannel,
  ComplaintSeverity,
  ContactChannel,
  ContactDirection,
  ContactOutcome,
  CustomerType,
} from './customer.events';

/** Time inputs of a decision: business time and the server's clock, both ISO 8601 UTC. */
export interface CommandTime {
  occurredAt: string;
  now: string;
}

type Command<Type extends string, Data> = { type: Type; data: { customerId: string } & Data; time: CommandTime };

export type AcquireCustomer = Command<
  'AcquireCustomer',
  {
    name: string;
    email?: string;
    phone?: string;
    channel: AcquisitionChannel;
    type: CustomerType;
    region?: string;
    tags?: string[];
    ownerId?: string;
  }
>;
export type RecordContact = Command<
  'RecordContact',
  {
    channel: ContactChannel;
    direction: ContactDirection;
    outcome: ContactOutcome;
    summary?: string;
    nextFollowUpAt?: string;
  }
>;
export type RecordPurchase = Command<'RecordPurchase', { orderId: string; amountMinor: number; currency: string }>;
export type FileComplaint = Command<
  'FileComplaint',
  { complaintId: string; category: string; severity: ComplaintSeverity; description: string }
>;
export type ResolveComplaint = Command<'ResolveComplaint', { complaintId: string; resolution: string; satisfaction?: number }>;
export type GiveFeedback = Command<'GiveFeedback', { csat?: number; nps?: number; comment?: string }>;
export type UpdateProfile = Command<
  'UpdateProfile',
  { name?: string; email?: string | null; phone?: string | null; type?: CustomerType; region?: string | null; tags?: string[] }
>;
export type AssignOwner = Command<'AssignOwner', { ownerId: string }>;
export type ChurnCustomer = Command<'ChurnCustomer', { reason: string }>;
export type ReactivateCustomer = Command<'ReactivateCustomer', { reason?: string }>;
export type ErasePersonalData = { type: 'ErasePersonalData'; data: { customerId: string }; time: CommandTime };

export type CustomerCommand =
  | AcquireCustomer
  | RecordContact
  | RecordPurchase
  | FileComplaint
  | ResolveComplaint
  | GiveFeedback
  | UpdateProfile
  | AssignOwner
  | ChurnCustomer
  | ReactivateCustomer
  | ErasePersonalData;

export type CustomerCommandType = CustomerCommand['type'];
