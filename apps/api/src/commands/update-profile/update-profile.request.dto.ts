import { ArrayMaxSize, IsArray, IsEmail, IsIn, IsString, Length, ValidateIf } from 'class-validator';
import { CUSTOMER_TYPES, type CustomerType } from '@crm/domain';
import { CommandRequest, IsPhoneNumber, NormalizeEmail } from '../../http/request-rules';

const clearable = (field: 'email' | 'phone' | 'region') => ValidateIf((o: UpdateProfileRequest) => o[field] !== null && o[field] !== undefined);
/** These cannot be cleared, so null is validated (and refused) like any other value. */
const required = (field: 'name' | 'type' | 'tags') => ValidateIf((o: UpdateProfileRequest) => o[field] !== undefined);

/** Only the fields to change; null clears email, phone or region. */
export class UpdateProfileRequest extends CommandRequest {
  @required('name') @IsString() @Length(1, 200) name?: string;
  @clearable('email') @NormalizeEmail() @IsEmail() @Length(3, 254) email?: string | null;
  @clearable('phone') @IsPhoneNumber() phone?: string | null;
  @required('type') @IsIn(CUSTOMER_TYPES) type?: CustomerType;
  @clearable('region') @IsString() @Length(1, 100) region?: string | null;
  @required('tags') @IsArray() @ArrayMaxSize(50) @IsString({ each: true }) @Length(1, 50, { each: true }) tags?: string[];
}
