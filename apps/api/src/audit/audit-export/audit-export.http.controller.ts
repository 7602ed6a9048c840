import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { Roles } from '../../auth/roles.decorator';
import { AuditReader } from '../audit-reader';
import { AuditExportQuery } from './audit-export.request.dto';

@Controller('v1/audit')
@Roles('auditor')
export class AuditExportController {
  constructor(private readonly reader: AuditReader) {}

  /** NDJSON, one event a line, streamed page by page with backpressure: never the whole log in memory. */
  @Get('events')
  export(@Query() query: AuditExportQuery): StreamableFile {
    const events = this.reader.log(query.fromPosition ?? 0, query.limit ?? Number.MAX_SAFE_INTEGER);
    const lines = Readable.from(
      (async function* () {
        for await (const event of events) yield `${JSON.stringify(event)}\n`;
      })(),
    );
    return new StreamableFile(lines, { type: 'application/x-ndjson; charset=utf-8' });
  }
}
