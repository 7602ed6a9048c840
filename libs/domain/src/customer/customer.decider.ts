import type { Decider } from '../decider';
import type { CustomerCommand } from './customer.commands';
import { type CustomerPolicy, decideCustomer } from './customer.decide';
import type { CustomerEvent, RecordedCustomerEvent } from './customer.events';
import { evolveCustomer } from './customer.evolve';
import { type CustomerState, initialCustomerState } from './customer.state';

export type CustomerDecider = Decider<CustomerCommand, CustomerEvent, CustomerState, RecordedCustomerEvent>;

export const DEFAULT_CUSTOMER_POLICY: CustomerPolicy = { currency: 'CNY', maxFutureSkewMs: 5 * 60_000 };

export function customerDecider(policy: CustomerPolicy = DEFAULT_CUSTOMER_POLICY): CustomerDecider {
  return {
    decide: (command, state) => decideCustomer(command, state, policy),
    evolve: evolveCustomer,
    initialState: initialCustomerState,
  };
}
