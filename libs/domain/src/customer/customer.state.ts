import type { AcquisitionChannel, ComplaintSeverity, CustomerType } from './customer.events';

export const LIFECYCLE_STAGES = ['acquired', 'engaged', 'converted', 'retained', 'churned', 'reactivated'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface ComplaintState {
  complaintId: string;
  category: string;
  severity: ComplaintSeverity;
  status: 'open' | 'resolved';
  filedAt: string;
  resolvedAt: string | null;
  satisfaction: number | null;
}

export interface CustomerState {
  exists: boolean;
  customerId: string | null;
  stage: LifecycleStage | null;
  erased: boolean;
  name: string | null;
  email: string | null;
  phone: string | null;
  channel: AcquisitionChannel | null;
  type: CustomerType | null;
  region: string | null;
  tags: readonly string[];
  ownerId: string | null;
  acquiredAt: string | null;
  contactCount: number;
  lastContactAt: string | null;
  nextFollowUpAt: string | null;
  orderIds: ReadonlySet<string>;
  purchaseCount: number;
  totalSpendMinor: number;
  firstPurchaseAt: string | null;
  lastPurchaseAt: string | null;
  complaints: Readonly<Record<string, ComplaintState>>;
  csatLast: number | null;
  npsLast: number | null;
  churnedAt: string | null;
  reactivatedAt: string | null;
}

export function initialCustomerState(): CustomerState {
  return {
    exists: false,
    customerId: null,
    stage: null,
    erased: false,
    name: null,
    email: null,
    phone: null,
    channel: null,
    type: null,
    region: null,
    tags: [],
    ownerId: null,
    acquiredAt: null,
    contactCount: 0,
    lastContactAt: null,
    nextFollowUpAt: null,
    orderIds: new Set(),
    purchaseCount: 0,
    totalSpendMinor: 0,
    firstPurchaseAt: null,
    lastPurchaseAt: null,
    complaints: {},
    csatLast: null,
    npsLast: null,
    churnedAt: null,
    reactivatedAt: null,
  };
}

export function openComplaints(state: CustomerState): ComplaintState[] {
  return Object.values(state.complaints).filter((c) => c.status === 'open');
}

/** Ready for JSON: what an auditor sees as "the state" (SPEC: GET /v1/customers/:id/state). */
export function presentCustomerState(state: CustomerState): Record<string, unknown> {
  const { orderIds, complaints, ...rest } = state;
  return { ...rest, orderIds: [...orderIds], complaints: Object.values(complaints) };
}
