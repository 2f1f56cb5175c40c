/**
 * How a command-line tool reaches the store: COUCH_URL when set; otherwise the embedded store of
 * DATA_DIR, the running server's (its LevelDB files have one owner, so the CLI talks to that
 * process) or, with no server running, one started for the duration of the command.
 */
import { loadConfig, type Config } from '../config.ts';
import { connectCouch, detectWriteCopies, waitForCouch, type Couch } from '../couch/client.ts';
import { EmbeddedCouch, runningEmbeddedCouch } from '../couch/embedded.ts';
import { createLogger } from '../log.ts';

export interface CliStore {
  couch: Couch;
  config: Config;
  /** which store: for messages */
  where: string;
  /** stops the embedded store if this command started it */
  close(): Promise<void>;
}

export async function connectCliStore(config: Config = loadConfig()): Promise<CliStore> {
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  let embedded: EmbeddedCouch | null = null;
  let where = config.COUCH_URL ? `CouchDB at ${config.COUCH_URL}` : `the running embedded store of ${config.dataDir}`;
  let creds = config.COUCH_URL ? { url: config.COUCH_URL, user: config.COUCH_USER!, password: config.COUCH_PASSWORD! } : runningEmbeddedCouch(config.dataDir);
  if (!creds) {
    embedded = new EmbeddedCouch(config.dataDir, 0, log);
    creds = await embedded.start();
    where = `the embedded store of ${config.dataDir} (started for this command)`;
  }
  const couch = connectCouch(creds, { prefix: config.COUCH_DB_PREFIX, ...(config.COUCH_URL ? { tenantQ: config.COUCH_TENANT_Q } : {}) });
  try {
    await waitForCouch(couch);
    if (config.COUCH_URL) await detectWriteCopies(couch, config.COUCH_WRITE_COPIES);
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return { couch, config, where, close: async () => void (await embedded?.stop()) };
}
