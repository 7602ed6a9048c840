import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule, type CrmConfig } from '@crm/config';
import { customerDecider } from '@crm/domain';
import { AuditReader } from './audit/audit-reader';
import { AuditExportController } from './audit/audit-export/audit-export.http.controller';
import { CustomerHistoryController } from './audit/customer-history/customer-history.http.controller';
import { CustomerStateController } from './audit/customer-state/customer-state.http.controller';
import { ApiKeyGuard } from './auth/api-key.guard';
import { API_KEYS, type ApiKeys } from './auth/api-keys';
import { AcquireCustomerHandler } from './commands/acquire-customer/acquire-customer.command-handler';
import { AcquireCustomerController } from './commands/acquire-customer/acquire-customer.http.controller';
import { AssignOwnerHandler } from './commands/assign-owner/assign-owner.command-handler';
import { AssignOwnerController } from './commands/assign-owner/assign-owner.http.controller';
import { ChurnCustomerHandler } from './commands/churn-customer/churn-customer.command-handler';
import { ChurnCustomerController } from './commands/churn-customer/churn-customer.http.controller';
import { ErasePersonalDataHandler } from './commands/erase-personal-data/erase-personal-data.command-handler';
import { ErasePersonalDataController } from './commands/erase-personal-data/erase-personal-data.http.controller';
import { FileComplaintHandler } from './commands/file-complaint/file-complaint.command-handler';
import { FileComplaintController } from './commands/file-complaint/file-complaint.http.controller';
import { GiveFeedbackHandler } from './commands/give-feedback/give-feedback.command-handler';
import { GiveFeedbackController } from './commands/give-feedback/give-feedback.http.controller';
import { ReactivateCustomerHandler } from './commands/reactivate-customer/reactivate-customer.command-handler';
import { ReactivateCustomerController } from './commands/reactivate-customer/reactivate-customer.http.controller';
import { RecordContactHandler } from './commands/record-contact/record-contact.command-handler';
import { RecordContactController } from './commands/record-contact/record-contact.http.controller';
import { RecordPurchaseHandler } from './commands/record-purchase/record-purchase.command-handler';
import { RecordPurchaseController } from './commands/record-purchase/record-purchase.http.controller';
import { ResolveComplaintHandler } from './commands/resolve-complaint/resolve-complaint.command-handler';
import { ResolveComplaintController } from './commands/resolve-complaint/resolve-complaint.http.controller';
import { UpdateProfileHandler } from './commands/update-profile/update-profile.command-handler';
import { UpdateProfileController } from './commands/update-profile/update-profile.http.controller';
import { HealthController } from './health/health.http.controller';
import { PhoneNumberRule } from './http/request-rules';
import { CLOCK, type Clock, feedProviders, PlatformRuntime, storageProviders, systemClock } from '@crm/platform';
import { ContactNormalizer } from './write/contact-normalizer';
import { ContactUniqueness } from './write/contact-uniqueness';
import { CUSTOMER_DECIDER, CustomerAggregates } from './write/customer-aggregates';
import { CustomerCommandPath } from './write/customer-command-path';
import { writeInfrastructure } from './write/write-infrastructure';
import { readInfrastructure } from './read/read-infrastructure';
import { ApiLifecycle } from './api-lifecycle';
import { commandIngressProviders } from './ingress/command-ingress.provider';
import { GetProfileController } from './read/profiles/get-profile.http.controller';
import { ListProfilesController } from './read/profiles/list-profiles.http.controller';
import { SegmentCountsController } from './read/segments/segment-counts.http.controller';
import { SegmentMembersController } from './read/segments/segment-members.http.controller';
import { LifecycleFunnelController } from './read/funnels/lifecycle-funnel.http.controller';
import { KpisController } from './read/kpis/kpis.http.controller';
import { FollowUpsController } from './read/follow-ups/follow-ups.http.controller';
import { ProjectionsController } from './read/projections/projections.http.controller';

export interface ApiModuleOptions {
  apiKeys: ApiKeys;
  clock?: Clock;
}

@Module({})
export class ApiModule {
  static forRoot(config: CrmConfig, options: ApiModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
      ],
      controllers: [
        HealthController,
        AcquireCustomerController,
        RecordContactController,
        RecordPurchaseController,
        FileComplaintController,
        ResolveComplaintController,
        GiveFeedbackController,
        UpdateProfileController,
        AssignOwnerController,
        ChurnCustomerController,
        ReactivateCustomerController,
        ErasePersonalDataController,
        CustomerHistoryController,
        CustomerStateController,
        AuditExportController,
        GetProfileController,
        ListProfilesController,
        SegmentCountsController,
        SegmentMembersController,
        LifecycleFunnelController,
        KpisController,
        FollowUpsController,
        ProjectionsController,
      ],
      providers: [
        { provide: API_KEYS, useValue: options.apiKeys },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: CUSTOMER_DECIDER,
          useValue: customerDecider({ currency: config.currency, maxFutureSkewMs: config.maxFutureSkewMs }),
        },
        ...storageProviders(config, config.roles),
        ...feedProviders(config, config.roles),
        PlatformRuntime,
        ...writeInfrastructure(config),
        ...readInfrastructure(config),
        ...commandIngressProviders(config),
        ApiLifecycle,
        CustomerAggregates,
        ContactUniqueness,
        ContactNormalizer,
        CustomerCommandPath,
        PhoneNumberRule,
        AuditReader,
        AcquireCustomerHandler,
        RecordContactHandler,
        RecordPurchaseHandler,
        FileComplaintHandler,
        ResolveComplaintHandler,
        GiveFeedbackHandler,
        UpdateProfileHandler,
        AssignOwnerHandler,
        ChurnCustomerHandler,
        ReactivateCustomerHandler,
        ErasePersonalDataHandler,
      ],
    };
  }
}
