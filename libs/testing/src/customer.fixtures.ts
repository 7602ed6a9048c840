import type {
  AcquireCustomer,
  AssignOwner,
  ChurnCustomer,
  CommandTime,
  ComplaintFiled,
  ComplaintResolved,
  CustomerAcquired,
  CustomerChurned,
  CustomerContacted,
  CustomerReactivated,
  ErasePersonalData,
  FeedbackGiven,
  FileComplaint,
  GiveFeedback,
  OwnerAssigned,
  PersonalDataErased,
  ProfileUpdated,
  PurchaseRecorded,
  ReactivateCustomer,
  RecordContact,
  RecordPurchase,
  ResolveComplaint,
  UpdateProfile,
} from '@crm/domain';

/**
 * Builders for customer commands and events with matching defaults, so that a spec names only
 * what its behaviour is about. A command built with some data decides into the event built with
 * the same data.
 */
export const CUSTOMER_ID = '3f6c1b9e-8a4d-4c2e-9b7a-1d2e3f4a5b6c';
/** The server clock of a command unless the spec says otherwise; later than `GIVEN_AT`. */
export const NOW = '2024-06-01T12:00:00.000Z';

type Data<T extends { data: unknown }> = Partial<T['data']>;
const at = (time: Partial<CommandTime> = {}): CommandTime => ({ occurredAt: time.occurredAt ?? time.now ?? NOW, now: time.now ?? NOW });

const acquiredData = { customerId: CUSTOMER_ID, name: 'Ada Lovelace', channel: 'web', type: 'consumer' } as const;
const contactData = { customerId: CUSTOMER_ID, channel: 'phone', direction: 'outbound', outcome: 'reached' } as const;
const purchaseData = { customerId: CUSTOMER_ID, orderId: 'order-1', amountMinor: 12_900, currency: 'CNY' };
const complaintData = {
  customerId: CUSTOMER_ID,
  complaintId: 'complaint-1',
  category: 'delivery',
  severity: 'medium',
  description: 'Arrived broken',
} as const;
const resolutionData = { customerId: CUSTOMER_ID, complaintId: 'complaint-1', resolution: 'Replaced the item' };

export const acquireCustomer = (data: Data<AcquireCustomer> = {}, time?: Partial<CommandTime>): AcquireCustomer => ({
  type: 'AcquireCustomer',
  data: { ...acquiredData, ...data },
  time: at(time),
});
export const recordContact = (data: Data<RecordContact> = {}, time?: Partial<CommandTime>): RecordContact => ({
  type: 'RecordContact',
  data: { ...contactData, ...data },
  time: at(time),
});
export const recordPurchase = (data: Data<RecordPurchase> = {}, time?: Partial<CommandTime>): RecordPurchase => ({
  type: 'RecordPurchase',
  data: { ...purchaseData, ...data },
  time: at(time),
});
export const fileComplaint = (data: Data<FileComplaint> = {}, time?: Partial<CommandTime>): FileComplaint => ({
  type: 'FileComplaint',
  data: { ...complaintData, ...data },
  time: at(time),
});
export const resolveComplaint = (data: Data<ResolveComplaint> = {}, time?: Partial<CommandTime>): ResolveComplaint => ({
  type: 'ResolveComplaint',
  data: { ...resolutionData, ...data },
  time: at(time),
});
/** No default scores: which scores are present is what feedback specs are about. */
export const giveFeedback = (data: Data<GiveFeedback>, time?: Partial<CommandTime>): GiveFeedback => ({
  type: 'GiveFeedback',
  data: { customerId: CUSTOMER_ID, ...data },
  time: at(time),
});
export const updateProfile = (data: Data<UpdateProfile>, time?: Partial<CommandTime>): UpdateProfile => ({
  type: 'UpdateProfile',
  data: { customerId: CUSTOMER_ID, ...data },
  time: at(time),
});
export const assignOwner = (ownerId: string, time?: Partial<CommandTime>): AssignOwner => ({
  type: 'AssignOwner',
  data: { customerId: CUSTOMER_ID, ownerId },
  time: at(time),
});
export const churnCustomer = (reason = 'Moved to a competitor', time?: Partial<CommandTime>): ChurnCustomer => ({
  type: 'ChurnCustomer',
  data: { customerId: CUSTOMER_ID, reason },
  time: at(time),
});
export const reactivateCustomer = (data: Data<ReactivateCustomer> = {}, time?: Partial<CommandTime>): ReactivateCustomer => ({
  type: 'ReactivateCustomer',
  data: { customerId: CUSTOMER_ID, ...data },
  time: at(time),
});
export const erasePersonalData = (time?: Partial<CommandTime>): ErasePersonalData => ({
  type: 'ErasePersonalData',
  data: { customerId: CUSTOMER_ID },
  time: at(time),
});

export const customerAcquired = (data: Data<CustomerAcquired> = {}): CustomerAcquired => ({
  type: 'CustomerAcquired',
  data: { ...acquiredData, tags: [], ...data },
});
export const customerContacted = (data: Data<CustomerContacted> = {}): CustomerContacted => ({
  type: 'CustomerContacted',
  data: { ...contactData, ...data },
});
export const purchaseRecorded = (data: Data<PurchaseRecorded> = {}): PurchaseRecorded => ({
  type: 'PurchaseRecorded',
  data: { ...purchaseData, ...data },
});
export const complaintFiled = (data: Data<ComplaintFiled> = {}): ComplaintFiled => ({
  type: 'ComplaintFiled',
  data: { ...complaintData, ...data },
});
export const complaintResolved = (data: Data<ComplaintResolved> = {}): ComplaintResolved => ({
  type: 'ComplaintResolved',
  data: { ...resolutionData, ...data },
});
export const feedbackGiven = (data: Data<FeedbackGiven>): FeedbackGiven => ({
  type: 'FeedbackGiven',
  data: { customerId: CUSTOMER_ID, ...data },
});
export const profileUpdated = (data: Data<ProfileUpdated>): ProfileUpdated => ({
  type: 'ProfileUpdated',
  data: { customerId: CUSTOMER_ID, ...data },
});
export const ownerAssigned = (ownerId: string): OwnerAssigned => ({ type: 'OwnerAssigned', data: { customerId: CUSTOMER_ID, ownerId } });
export const customerChurned = (reason = 'Moved to a competitor'): CustomerChurned => ({
  type: 'CustomerChurned',
  data: { customerId: CUSTOMER_ID, reason },
});
export const customerReactivated = (data: Data<CustomerReactivated> = {}): CustomerReactivated => ({
  type: 'CustomerReactivated',
  data: { customerId: CUSTOMER_ID, ...data },
});
export const personalDataErased = (): PersonalDataErased => ({ type: 'PersonalDataErased', data: { customerId: CUSTOMER_ID } });
