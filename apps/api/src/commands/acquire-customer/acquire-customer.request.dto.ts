import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { ACQUISITION_CHANNELS, type AcquisitionChannel, CUSTOMER_TYPES, type CustomerType } from '@crm/domain';
import { CommandRequest, IsPhoneNumber, LowerCaseId, NormalizeEmail } from '../../http/request-rules';

export class AcquireCustomerRequest extends CommandRequest {
  @IsOptional() @LowerCaseId() @IsUUID() customerId?: string;
  @IsString() @Length(1, 200) name!: string;
  @IsOptional() @NormalizeEmail() @IsEmail() @Length(3, 254) email?: string;
  @IsOptional() @IsPhoneNumber() phone?: string;
  @IsIn(ACQUISITION_CHANNELS) channel!: AcquisitionChannel;
  @IsIn(CUSTOMER_TYPES) type!: CustomerType;
  @IsOptional() @IsString() @Length(1, 100) region?: string;
  @IsOptional() @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 50, { each: true }) tags?: string[];
  @IsOptional() @IsString() @Length(1, 100) ownerId?: string;
}
