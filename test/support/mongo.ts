import { MongoClient } from 'mongodb';

// Shared by the suites and harnesses that talk to the MongoDB-wire server themselves.

/** MONGO_URL with another database name. */
export function mongoUrlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withMongo<T>(url: string, work: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url, { retryWrites: false, serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
