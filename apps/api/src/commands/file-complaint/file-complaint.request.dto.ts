import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { COMPLAINT_SEVERITIES, type ComplaintSeverity } from '@crm/domain';
import { CommandRequest } from '../../http/request-rules';

export class FileComplaintRequest extends CommandRequest {
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9._:-]{1,100}$/, { message: 'complaintId must be 1..100 of A-Z a-z 0-9 . _ : -' })
  complaintId?: string;
  @IsString() @Length(1, 100) category!: string;
  @IsIn(COMPLAINT_SEVERITIES) severity!: ComplaintSeverity;
  @IsString() @Length(1, 5000) description!: string;
}
