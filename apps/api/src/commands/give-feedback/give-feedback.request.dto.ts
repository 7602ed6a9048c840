import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { CommandRequest } from '../../http/request-rules';

/** Both scores are optional here; "at least one" is the decider's rule (422 FEEDBACK_SCORE_REQUIRED). */
export class GiveFeedbackRequest extends CommandRequest {
  @IsOptional() @IsInt() @Min(1) @Max(5) csat?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10) nps?: number;
  @IsOptional() @IsString() @Length(1, 2000) comment?: string;
}
