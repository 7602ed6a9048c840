import type { CustomerCommandType } from '@crm/domain';
import type { CommandContext } from '../write/command-context';
import { AcquireCustomerCommand } from './acquire-customer/acquire-customer.command-handler';
import { AcquireCustomerRequest } from './acquire-customer/acquire-customer.request.dto';
import { AssignOwnerCommand } from './assign-owner/assign-owner.command-handler';
import { AssignOwnerRequest } from './assign-owner/assign-owner.request.dto';
import { ChurnCustomerCommand } from './churn-customer/churn-customer.command-handler';
import { ChurnCustomerRequest } from './churn-customer/churn-customer.request.dto';
import { ErasePersonalDataCommand } from './erase-personal-data/erase-personal-data.command-handler';
import { FileComplaintCommand } from './file-complaint/file-complaint.command-handler';
import { FileComplaintRequest } from './file-complaint/file-complaint.request.dto';
import { GiveFeedbackCommand } from './give-feedback/give-feedback.command-handler';
import { GiveFeedbackRequest } from './give-feedback/give-feedback.request.dto';
import { ReactivateCustomerCommand } from './reactivate-customer/reactivate-customer.command-handler';
import { ReactivateCustomerRequest } from './reactivate-customer/reactivate-customer.request.dto';
import { RecordContactCommand } from './record-contact/record-contact.command-handler';
import { RecordContactRequest } from './record-contact/record-contact.request.dto';
import { RecordPurchaseCommand } from './record-purchase/record-purchase.command-handler';
import { RecordPurchaseRequest } from './record-purchase/record-purchase.request.dto';
import { ResolveComplaintCommand } from './resolve-complaint/resolve-complaint.command-handler';
import { ResolveComplaintRequest } from './resolve-complaint/resolve-complaint.request.dto';
import { UpdateProfileCommand } from './update-profile/update-profile.command-handler';
import { UpdateProfileRequest } from './update-profile/update-profile.request.dto';

class EmptyRequest {}

export interface CatalogueEntry {
  /** The request DTO the data is validated with, as over HTTP. */
  request: new () => object;
  /** Fields taken from the data that HTTP takes from the path. */
  pathFields?: string[];
  toMessage(context: CommandContext, customerId: string | undefined, body: object, path: Record<string, string>): object;
}

/** Every command a non-HTTP ingress (the Kafka command topic) may send, with the HTTP use case's DTO and bus message. */
export const COMMAND_CATALOGUE: Record<CustomerCommandType, CatalogueEntry> = {
  AcquireCustomer: {
    request: AcquireCustomerRequest,
    toMessage: (c, id, body) => new AcquireCustomerCommand(c, { ...(body as AcquireCustomerRequest), ...(id && { customerId: id }) }),
  },
  RecordContact: { request: RecordContactRequest, toMessage: (c, id, b) => new RecordContactCommand(c, id!, b as RecordContactRequest) },
  RecordPurchase: { request: RecordPurchaseRequest, toMessage: (c, id, b) => new RecordPurchaseCommand(c, id!, b as RecordPurchaseRequest) },
  FileComplaint: { request: FileComplaintRequest, toMessage: (c, id, b) => new FileComplaintCommand(c, id!, b as FileComplaintRequest) },
  ResolveComplaint: {
    request: ResolveComplaintRequest,
    pathFields: ['complaintId'],
    toMessage: (c, id, b, path) => new ResolveComplaintCommand(c, id!, path.complaintId, b as ResolveComplaintRequest),
  },
  GiveFeedback: { request: GiveFeedbackRequest, toMessage: (c, id, b) => new GiveFeedbackCommand(c, id!, b as GiveFeedbackRequest) },
  UpdateProfile: { request: UpdateProfileRequest, toMessage: (c, id, b) => new UpdateProfileCommand(c, id!, b as UpdateProfileRequest) },
  AssignOwner: { request: AssignOwnerRequest, toMessage: (c, id, b) => new AssignOwnerCommand(c, id!, b as AssignOwnerRequest) },
  ChurnCustomer: { request: ChurnCustomerRequest, toMessage: (c, id, b) => new ChurnCustomerCommand(c, id!, b as ChurnCustomerRequest) },
  ReactivateCustomer: {
    request: ReactivateCustomerRequest,
    toMessage: (c, id, b) => new ReactivateCustomerCommand(c, id!, b as ReactivateCustomerRequest),
  },
  ErasePersonalData: { request: EmptyRequest, toMessage: (c, id) => new ErasePersonalDataCommand(c, id!, {}) },
};
