import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { CrmConfig } from './config';

export const CRM_CONFIG = Symbol('CRM_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: CrmConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CRM_CONFIG, useValue: config }], exports: [CRM_CONFIG] };
  }
}
