import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { casRaces } from '../../server/couch/cas.ts';
import { connectCouch, ensureDb, updateDoc, type Db } from '../../server/couch/client.ts';
import { advanceDoc, insertOnce } from '../../server/inventory/store.ts';
import { nodeUrls } from './support/cluster.ts';
import { startTestServer, STORE, VIEW_SETTLES, type TestServer } from './support/server.ts';

/**
 * Concurrent writes of one server document stay exclusive on the store in use (server/couch/cas.ts):
 * on a CouchDB cluster the losing side of a race can be answered 202, and must still hear that it lost.
 * Each round starts several writers at once, each through a different node of a local cluster (as behind
 * a load balancer, where copies see the writes in different orders); exactly one may report the change,
 * and the document ends with one live leaf that holds what that writer wrote.
 */
interface Doc {
  _id: string;
  _rev?: string;
  state: 'open' | 'approved';
  by?: number;
}

/** RACE_ROUNDS raises it to hunt rare interleavings (e.g. under CPU load) */
const ROUNDS = Number(process.env.RACE_ROUNDS ?? 25);
const METRICS_TOKEN = 'metrics-token-for-the-race-tests';
const WRITERS = 3;
let s: TestServer;
let db: Db;
/** writer i's way to the store: node i of the local cluster, else the one store */
let via: Db[] = [];

/** Rounds of WRITERS advancing one fresh document each at once, writer i through `dbs[i % n]`. */
async function raceAdvance(prefix: string, dbs: Db[]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const id = `race:${prefix}:${round}`;
    await db.insert({ _id: id, state: 'open' });
    const outs = await Promise.all(
      Array.from({ length: WRITERS }, (_, by) => advanceDoc<Doc>(dbs[by % dbs.length]!, id, (raw) => raw as Doc, (cur) => (cur.state === 'open' ? { ...cur, state: 'approved', by } : null)))
    );
    const winners = outs.filter((o) => o.changed);
    expect(winners, `round ${round}`).toHaveLength(1);
    // a cluster copy may apply the loser's tombstone a moment after the quorum answered
    await expect.poll(() => liveLeaves(id), { ...VIEW_SETTLES, message: `round ${round}: one live leaf` }).toEqual([expect.objectContaining({ state: 'approved', by: winners[0]!.doc.by })]);
  }
}

beforeAll(async () => {
  s = await startTestServer({ METRICS_TOKEN });
  await ensureDb(s.couch, 'races');
  db = s.couch.use('races');
  const nodes = nodeUrls();
  via = Array.from({ length: WRITERS }, (_, i) => (nodes.length ? connectCouch({ ...s.couch.creds, url: nodes[i % nodes.length]! }, { prefix: s.couch.prefix }).use('races') : db));
});
afterAll(async () => {
  await s?.couch.server.db.destroy(s.couch.physical('races')).catch(() => undefined);
  await s?.stop();
});

/** Live leaves of a document, read from every copy (a cluster's losing leaves hide behind the winner). */
async function liveLeaves(id: string): Promise<Doc[]> {
  const res = (await db.get(id, { open_revs: 'all' } as never)) as unknown as { ok?: Doc & { _deleted?: boolean } }[];
  return res.flatMap((r) => (r.ok && !r.ok._deleted ? [r.ok] : []));
}

describe(`writes that race on ${STORE}`, () => {
  it('advanceDoc: of writers racing from one revision, exactly one changes the document, and it says so', async () => {
    const before = { ...casRaces };
    await raceAdvance('advance', via);
    console.log(`write races on ${STORE}: ${casRaces.accepted - before.accepted} answered 202, ${casRaces.agreed - before.agreed} stood by agreement, ${casRaces.yielded - before.yielded} yielded`);
  });

  it('insertOnce: of writers creating one id with different bodies, exactly one creates it', async () => {
    const before = { ...casRaces };
    for (let round = 0; round < ROUNDS; round++) {
      const id = `race:insert:${round}`;
      const outs = await Promise.all(
        Array.from({ length: WRITERS }, (_, by) => insertOnce<Doc>(via[by]!, { _id: id, state: 'approved', by }, (stored) => stored.state === 'approved', 'Race'))
      );
      const created = outs.filter((o) => o.created);
      expect(created, `round ${round}`).toHaveLength(1);
      await expect.poll(() => liveLeaves(id), VIEW_SETTLES).toEqual([expect.objectContaining({ by: created[0]!.doc.by })]);
    }
    console.log(`insert races on ${STORE}: ${casRaces.accepted - before.accepted} answered 202, ${casRaces.agreed - before.agreed} stood by agreement, ${casRaces.yielded - before.yielded} yielded`);
  });

  it('updateDoc: a one-time code used by several requests at once is used by exactly one', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const id = `race:code:${round}`;
      await db.insert({ _id: id, state: 'open' });
      const outs = await Promise.all(Array.from({ length: WRITERS }, (_, by) => updateDoc<Doc>(via[by]!, id, (cur) => (cur.state === 'open' ? { ...cur, state: 'approved', by } : null))));
      expect(outs.filter(Boolean), `round ${round}`).toHaveLength(1);
      await expect.poll(async () => (await liveLeaves(id)).length, VIEW_SETTLES).toBe(1);
    }
  });

  it('the races are counted where operators see them', async () => {
    const text = await (await s.call('GET', '/metrics', { token: METRICS_TOKEN })).text();
    expect(text).toContain(`pos_couch_write_races{outcome="accepted"} ${casRaces.accepted}`);
    expect(text).toContain(`pos_couch_write_races{outcome="agreed"} ${casRaces.agreed}`);
    expect(text).toContain(`pos_couch_write_races{outcome="yielded"} ${casRaces.yielded}`);
  });
});
