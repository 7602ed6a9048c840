import { type CustomerEvent, ERASED, type RecordedCustomerEvent } from './customer.events';
import type { CustomerState, LifecycleStage } from './customer.state';

/**
 * The lifecycle (SPEC): acquired -> engaged (first contact) -> converted (first purchase) ->
 * retained (second purchase on); any stage -> churned -> reactivated, then converted or retained
 * again on the next purchase, by lifetime purchase count. Read models use the same rule.
 */
export function stageAfter(stage: LifecycleStage | null, event: CustomerEvent, purchaseCountAfter: number): LifecycleStage | null {
  switch (event.type) {
    case 'CustomerAcquired':
      return 'acquired';
    case 'CustomerContacted':
      return stage === 'acquired' ? 'engaged' : stage;
    case 'PurchaseRecorded':
      if (stage === 'churned') return stage;
      return purchaseCountAfter >= 2 ? 'retained' : 'converted';
    case 'CustomerChurned':
      return 'churned';
    case 'CustomerReactivated':
      return 'reactivated';
    default:
      return stage;
  }
}

function latestOf(current: string | null, candidate: string): string {
  return current !== null && current > candidate ? current : candidate;
}

function erasable(current: string | null): string | null {
  return current === null ? null : ERASED;
}

export function evolveCustomer(state: CustomerState, event: RecordedCustomerEvent): CustomerState {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'CustomerAcquired': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        customerId: d.customerId,
        stage: stageAfter(state.stage, event, state.purchaseCount),
        name: d.name,
        email: d.email ?? null,
        phone: d.phone ?? null,
        channel: d.channel,
        type: d.type,
        region: d.region ?? null,
        tags: d.tags,
        ownerId: d.ownerId ?? null,
        acquiredAt: at,
      };
    }
    case 'CustomerContacted':
      return {
        ...state,
        stage: stageAfter(state.stage, event, state.purchaseCount),
        contactCount: state.contactCount + 1,
        lastContactAt: latestOf(state.lastContactAt, at),
        nextFollowUpAt: event.data.nextFollowUpAt ?? null,
      };
    case 'PurchaseRecorded': {
      const purchaseCount = state.purchaseCount + 1;
      return {
        ...state,
        stage: stageAfter(state.stage, event, purchaseCount),
        orderIds: new Set(state.orderIds).add(event.data.orderId),
        purchaseCount,
        totalSpendMinor: state.totalSpendMinor + event.data.amountMinor,
        firstPurchaseAt: state.firstPurchaseAt !== null && state.firstPurchaseAt < at ? state.firstPurchaseAt : at,
        lastPurchaseAt: latestOf(state.lastPurchaseAt, at),
      };
    }
    case 'ComplaintFiled': {
      const { complaintId, category, severity } = event.data;
      const complaint = { complaintId, category, severity, status: 'open' as const, filedAt: at, resolvedAt: null, satisfaction: null };
      return { ...state, complaints: { ...state.complaints, [complaintId]: complaint } };
    }
    case 'ComplaintResolved': {
      const { complaintId, satisfaction } = event.data;
      const complaint = state.complaints[complaintId];
      if (!complaint) return state;
      const resolved = { ...complaint, status: 'resolved' as const, resolvedAt: at, satisfaction: satisfaction ?? null };
      return { ...state, complaints: { ...state.complaints, [complaintId]: resolved } };
    }
    case 'FeedbackGiven':
      return { ...state, csatLast: event.data.csat ?? state.csatLast, npsLast: event.data.nps ?? state.npsLast };
    case 'ProfileUpdated': {
      const d = event.data;
      return {
        ...state,
        ...(d.name !== undefined && { name: d.name }),
        ...(d.email !== undefined && { email: d.email }),
        ...(d.phone !== undefined && { phone: d.phone }),
        ...(d.type !== undefined && { type: d.type }),
        ...(d.region !== undefined && { region: d.region }),
        ...(d.tags !== undefined && { tags: d.tags }),
      };
    }
    case 'OwnerAssigned':
      return { ...state, ownerId: event.data.ownerId };
    case 'CustomerChurned':
      return { ...state, stage: stageAfter(state.stage, event, state.purchaseCount), churnedAt: at };
    case 'CustomerReactivated':
      return { ...state, stage: stageAfter(state.stage, event, state.purchaseCount), reactivatedAt: at };
    case 'PersonalDataErased':
      return {
        ...state,
        erased: true,
        name: erasable(state.name),
        email: erasable(state.email),
        phone: erasable(state.phone),
      };
  }
}
