/** Opaque paging cursors: the last customer id of a page, so pages stay stable while data changes. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new InvalidCursorError();
  return id;
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not one this API gave out');
    this.name = 'InvalidCursorError';
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function pageOf<T extends { customerId: string }>(items: T[], limit: number): Page<T> {
  const page = items.slice(0, limit);
  return { items: page, nextCursor: items.length > limit ? encodeCursor(page[page.length - 1].customerId) : null };
}
