import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BSON } from 'mongodb';
import { startTestApi, type TestApi } from '../support/api-harness';
import { withMongo } from '../support/mongo';
import { nationalMobile } from '../support/api-client';
import { allPages, before, readOk, Writer } from '../support/read-client';
import { TestClock } from '../support/test-clock';

const NOW = '2026-06-01T00:00:00.000Z';

/**
 * The needles found where the read models are kept: the raw bytes of the embedded read-model file
 * (and its SQLite companions), or every document of every collection of the MongoDB database.
 */
async function personalDataInReadModels(api: TestApi, needles: string[]): Promise<string[]> {
  const found: string[] = [];
  const search = (where: string, text: string) => {
    for (const needle of needles) for (const form of [needle, needle.toLowerCase()]) if (text.includes(form)) found.push(`${where}: ${form}`);
  };
  if (api.database) {
    const database = api.database;
    await withMongo(process.env.MONGO_URL!, async (client) => {
      const db = client.db(database);
      const collections = await db.listCollections().toArray();
      expect(collections.map((c) => c.name)).toContain('profiles');
      for (const { name } of collections) {
        for (const doc of await db.collection(name).find().toArray()) search(`${name}/${String(doc._id)}`, BSON.EJSON.stringify(doc));
      }
    });
    return found;
  }
  const files = readdirSync(api.dataDir).filter((name) => name.startsWith('read-models.db'));
  expect(files).toContain('read-models.db');
  for (const file of files) search(file, readFileSync(join(api.dataDir, file)).toString('latin1'));
  return found;
}

describe('erasure on the read side', () => {
  const clock = new TestClock(NOW);
  let api: TestApi;
  let w: Writer;
  let erased: string;
  let others: string[];
  let needles: string[];

  const membersOf = async (kind: string, name: string) =>
    (await allPages(api, `/v1/segments/${kind}/${name}/members`, { minPosition: w.position })).items.map((i) => i.customerId);

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    const token = randomUUID().slice(0, 8);
    const national = nationalMobile();
    const newNational = nationalMobile();
    const personal = {
      name: `Chen Jing ${token}`,
      email: `chen.jing.${token}@example.com`,
      newName: `Chen Jingyi ${token}`,
      newEmail: `jingyi.${token}@example.com`,
      summary: `promised a visit to Hangzhou ${token}`,
      description: `box arrived crushed in Suzhou ${token}`,
      resolution: `sent a new box to Suzhou ${token}`,
      comment: `kind staff in Wuxi ${token}`,
    };
    needles = [...Object.values(personal), national, `+86${national}`, newNational, `+86${newNational}`];

    const acquired = await w.acquire({ name: personal.name, email: personal.email, phone: national, occurredAt: before(NOW, 200), ownerId: 'u-ann' });
    erased = acquired.customerId;
    await w.updateProfile(erased, { name: personal.newName, email: personal.newEmail, phone: newNational });
    await w.contact(erased, before(NOW, 3), { summary: personal.summary, outcome: 'follow-up-needed', nextFollowUpAt: before(NOW, 1) });
    await w.purchase(erased, before(NOW, 2), 90_000);
    await w.complaint(erased, before(NOW, 2), 'low', 'cmp-1', personal.description);
    await w.resolve(erased, 'cmp-1', before(NOW, 1), { resolution: personal.resolution, satisfaction: 2 });
    await w.feedback(erased, before(NOW, 1), { csat: 4, nps: 9, comment: personal.comment });

    others = [];
    for (const amount of [1_000, 2_000]) {
      const { customerId } = await w.acquire({ occurredAt: before(NOW, 200), ownerId: 'u-ann' });
      await w.purchase(customerId, before(NOW, 5), amount);
      await w.contact(customerId, before(NOW, 4), { outcome: 'follow-up-needed', nextFollowUpAt: before(NOW, 2) });
      others.push(customerId);
    }
  });
  afterAll(() => api.destroy());

  it('never puts personal data in the read models, before or after erasure', async () => {
    const profile = await readOk(api, `/v1/profiles/${erased}`, { minPosition: w.position });
    expect({ name: profile.name, email: profile.email, phone: profile.phone }).toEqual({ name: '***', email: '***', phone: '***' });
    // The search does see the customer's documents (by id) in the file: only its personal data is absent.
    expect((await personalDataInReadModels(api, [erased])).length).toBeGreaterThan(0);
    expect(await personalDataInReadModels(api, needles)).toEqual([]);
  });

  it('takes the customer out of segments, KPIs and follow-ups, and shows "[erased]" on the profile', async () => {
    expect(await membersOf('tier', 'vip')).toEqual([erased]);
    const segmentsBefore = await readOk(api, '/v1/segments', { minPosition: w.position });
    const kpisBefore = await readOk(api, '/v1/kpis', { minPosition: w.position });
    const followUpsBefore = await readOk(api, '/v1/follow-ups?overdue=true', { minPosition: w.position });
    expect(kpisBefore.managedCustomers).toBe(3);
    expect(segmentsBefore.tier).toEqual({ vip: 1, important: 0, ordinary: 2, none: 0 });
    expect(followUpsBefore.items.map((i: { customerId: string }) => i.customerId).sort()).toEqual([erased, ...others].sort());

    const reply = await w.erase(erased);

    const profile = await readOk(api, `/v1/profiles/${erased}`, { minPosition: reply.position });
    expect({ name: profile.name, email: profile.email, phone: profile.phone }).toEqual({ name: '[erased]', email: '[erased]', phone: '[erased]' });
    expect(profile).toMatchObject({ purchaseCount: 1, totalSpendMinor: 90_000, revision: reply.revision });

    const segments = await readOk(api, '/v1/segments', { minPosition: reply.position });
    // Two customers left: the bigger spender of two is vip (top 10% rounds to the top one).
    expect(segments.tier).toEqual({ vip: 1, important: 0, ordinary: 1, none: 0 });
    const everyMember = new Set<string>();
    for (const [kind, names] of Object.entries({ tier: ['vip', 'ordinary', 'none'], loyalty: ['new', 'returning', 'loyal', 'potential'], risk: ['low', 'medium', 'high'] })) {
      for (const name of names) for (const id of await membersOf(kind, name)) everyMember.add(id);
    }
    expect([...everyMember].sort()).toEqual([...others].sort());

    const kpis = await readOk(api, '/v1/kpis', { minPosition: reply.position });
    expect(kpis.managedCustomers).toBe(2);
    expect(kpis.csatMean).toBeNull();

    const followUps = await readOk(api, '/v1/follow-ups?overdue=true', { minPosition: reply.position });
    expect(followUps.items.map((i: { customerId: string }) => i.customerId).sort()).toEqual([...others].sort());

    expect(await personalDataInReadModels(api, needles)).toEqual([]);
  });

  it('stays erased after a restart and after a rebuild of every read model', async () => {
    api = await api.restart();
    w = new Writer(api);
    const afterRestart = await readOk(api, `/v1/profiles/${erased}`);
    expect(afterRestart.name).toBe('[erased]');

    const started = await api.http().post('/v1/projections/all/rebuild').set(api.auth('admin'));
    expect(started.status).toBe(202);
    for (let i = 0; i < 200; i++) {
      const { projections } = await readOk(api, '/v1/projections');
      if (projections.every((p: any) => p.rebuild?.phase === 'done')) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const rebuilt = await readOk(api, `/v1/profiles/${erased}`);
    expect({ name: rebuilt.name, email: rebuilt.email, phone: rebuilt.phone }).toEqual({ name: '[erased]', email: '[erased]', phone: '[erased]' });
    expect((await readOk(api, '/v1/kpis')).managedCustomers).toBe(2);
    expect(await personalDataInReadModels(api, needles)).toEqual([]);
  });
});
