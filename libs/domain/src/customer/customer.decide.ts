import { DomainError } from '../decider';
import type { CustomerCommand, UpdateProfile } from './customer.commands';
import type { CustomerEvent, ProfileUpdated } from './customer.events';
import { type CustomerState, openComplaints } from './customer.state';

export interface CustomerPolicy {
  /** ISO 4217 code every amount must be in (SPEC: CRM_CURRENCY). */
  currency: string;
  /** How far business time may lie ahead of the server clock (client clock skew). */
  maxFutureSkewMs: number;
}

const rejectIf = (cond: boolean, error: () => DomainError): void => {
  if (cond) throw error();
};

const conflict = (code: string, message: string, details?: Record<string, unknown>) => () =>
  new DomainError(code, 'conflict', message, details);
const unprocessable = (code: string, message: string, details?: Record<string, unknown>) => () =>
  new DomainError(code, 'unprocessable', message, details);

function profileChanges(command: UpdateProfile, state: CustomerState): ProfileUpdated['data'] {
  const changes: ProfileUpdated['data'] = { customerId: command.data.customerId };
  const { name, email, phone, type, region, tags } = command.data;
  if (name !== undefined && name !== state.name) changes.name = name;
  if (email !== undefined && email !== state.email) changes.email = email;
  if (phone !== undefined && phone !== state.phone) changes.phone = phone;
  if (type !== undefined && type !== state.type) changes.type = type;
  if (region !== undefined && region !== state.region) changes.region = region;
  if (tags !== undefined && (tags.length !== state.tags.length || tags.some((t, i) => t !== state.tags[i]))) changes.tags = tags;
  return changes;
}

export function decideCustomer(command: CustomerCommand, state: CustomerState, policy: CustomerPolicy): CustomerEvent[] {
  const { customerId } = command.data;
  const ahead = Date.parse(command.time.occurredAt) - Date.parse(command.time.now);
  rejectIf(ahead > policy.maxFutureSkewMs, unprocessable('OCCURRED_AT_IN_FUTURE', 'occurredAt lies in the future'));

  if (command.type === 'AcquireCustomer') {
    rejectIf(state.exists, conflict('CUSTOMER_EXISTS', `Customer ${customerId} already exists`, { customerId }));
    return [{ type: 'CustomerAcquired', data: { ...command.data, tags: command.data.tags ?? [] } }];
  }
  if (!state.exists) throw new DomainError('CUSTOMER_NOT_FOUND', 'not_found', `Customer ${customerId} does not exist`);
  if (command.type === 'ErasePersonalData') {
    return state.erased ? [] : [{ type: 'PersonalDataErased', data: { customerId } }];
  }
  rejectIf(state.erased, conflict('CUSTOMER_ERASED', `Customer ${customerId} has been erased`));
  const churned = state.stage === 'churned';

  switch (command.type) {
    case 'RecordContact':
      rejectIf(churned, conflict('CUSTOMER_CHURNED', 'A churned customer cannot be contacted; reactivate first'));
      return [{ type: 'CustomerContacted', data: command.data }];
    case 'RecordPurchase': {
      const { amountMinor, currency, orderId } = command.data;
      rejectIf(churned, conflict('CUSTOMER_CHURNED', 'A churned customer cannot purchase; reactivate first'));
      rejectIf(
        currency !== policy.currency,
        unprocessable('CURRENCY_MISMATCH', `Amounts must be in ${policy.currency}`, { expected: policy.currency, actual: currency }),
      );
      rejectIf(
        !Number.isSafeInteger(amountMinor) || amountMinor <= 0,
        unprocessable('INVALID_AMOUNT', 'amountMinor must be a positive integer number of minor units'),
      );
      // A repeated orderId is the same purchase reported again: accepted, nothing recorded.
      return state.orderIds.has(orderId) ? [] : [{ type: 'PurchaseRecorded', data: command.data }];
    }
    case 'FileComplaint':
      rejectIf(
        command.data.complaintId in state.complaints,
        conflict('COMPLAINT_EXISTS', `Complaint ${command.data.complaintId} already exists`),
      );
      return [{ type: 'ComplaintFiled', data: command.data }];
    case 'ResolveComplaint':
      rejectIf(
        state.complaints[command.data.complaintId]?.status !== 'open',
        conflict('COMPLAINT_NOT_OPEN', `Complaint ${command.data.complaintId} is not open`, {
          openComplaints: openComplaints(state).map((c) => c.complaintId),
        }),
      );
      rejectIf(
        command.data.satisfaction !== undefined &&
          !(Number.isInteger(command.data.satisfaction) && command.data.satisfaction >= 1 && command.data.satisfaction <= 5),
        unprocessable('INVALID_SCORE', 'satisfaction must be 1..5'),
      );
      return [{ type: 'ComplaintResolved', data: command.data }];
    case 'GiveFeedback': {
      const { csat, nps } = command.data;
      rejectIf(csat === undefined && nps === undefined, unprocessable('FEEDBACK_SCORE_REQUIRED', 'Give csat, nps or both'));
      rejectIf(csat !== undefined && !(Number.isInteger(csat) && csat >= 1 && csat <= 5), unprocessable('INVALID_SCORE', 'csat must be 1..5'));
      rejectIf(nps !== undefined && !(Number.isInteger(nps) && nps >= 0 && nps <= 10), unprocessable('INVALID_SCORE', 'nps must be 0..10'));
      return [{ type: 'FeedbackGiven', data: command.data }];
    }
    case 'UpdateProfile': {
      const changes = profileChanges(command, state);
      return Object.keys(changes).length > 1 ? [{ type: 'ProfileUpdated', data: changes }] : [];
    }
    case 'AssignOwner':
      return command.data.ownerId === state.ownerId ? [] : [{ type: 'OwnerAssigned', data: command.data }];
    case 'ChurnCustomer':
      rejectIf(churned, conflict('CUSTOMER_ALREADY_CHURNED', 'The customer is already churned'));
      return [{ type: 'CustomerChurned', data: command.data }];
    case 'ReactivateCustomer':
      rejectIf(!churned, conflict('CUSTOMER_NOT_CHURNED', 'Only a churned customer can be reactivated'));
      return [{ type: 'CustomerReactivated', data: command.data }];
  }
}
