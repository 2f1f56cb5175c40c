import { INTEGRATIONS_DB } from '#domain/db-names.ts';
import type { Config } from '../config.ts';
import { ensureDb, lockDb, type Couch, type Db } from '../couch/client.ts';
import { deployDesignDocs } from '../couch/design-docs.ts';
import { loadIntegrationsKey } from '../secrets.ts';
import { SecretBox } from './secret-box.ts';

/**
 * The server-only `integrations` database, created (admins only, its design documents deployed) the
 * first time an integration needs it on this server copy. A failed preparation is not remembered, so
 * the next request tries again.
 */
const prepared = new WeakMap<Couch, Promise<void>>();

export async function integrationsDb(couch: Couch): Promise<Db> {
  let ready = prepared.get(couch);
  if (!ready) {
    ready = (async () => {
      const created = await ensureDb(couch, INTEGRATIONS_DB);
      await lockDb(couch, INTEGRATIONS_DB);
      await deployDesignDocs(couch.use(INTEGRATIONS_DB), 'integrations', { changed: created ? 'replace' : 'leave' });
    })();
    prepared.set(couch, ready);
    ready.catch(() => prepared.delete(couch));
  }
  await ready;
  return couch.use(INTEGRATIONS_DB);
}

/** The secret box under INTEGRATIONS_KEY (or the key generated into DATA_DIR), one per configuration. */
const boxes = new WeakMap<Config, SecretBox>();
export function secretBoxOf(config: Config): SecretBox {
  let box = boxes.get(config);
  if (!box) {
    box = new SecretBox(loadIntegrationsKey(config.dataDir, config.INTEGRATIONS_KEY));
    boxes.set(config, box);
  }
  return box;
}
