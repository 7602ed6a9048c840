import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import {
  CONTACT_CHANNELS,
  CONTACT_DIRECTIONS,
  CONTACT_OUTCOMES,
  type ContactChannel,
  type ContactDirection,
  type ContactOutcome,
} from '@crm/domain';
import { CommandRequest, IsReadableDate } from '../../http/request-rules';

export class RecordContactRequest extends CommandRequest {
  @IsIn(CONTACT_CHANNELS) channel!: ContactChannel;
  @IsIn(CONTACT_DIRECTIONS) direction!: ContactDirection;
  @IsIn(CONTACT_OUTCOMES) outcome!: ContactOutcome;
  @IsOptional() @IsString() @Length(1, 2000) summary?: string;
  @IsOptional() @IsISO8601({ strict: true, strictSeparator: true }) @IsReadableDate() nextFollowUpAt?: string;
}
