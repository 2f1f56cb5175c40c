import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PouchDB from 'pouchdb-node';

/** A device-side PouchDB on disk (as a register's IndexedDB would be) and its remote through the gateway. */
export function localDb(name: string): PouchDB.Database {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pos-device-'));
  return new PouchDB(path.join(dir, name));
}

export function remoteDb(baseUrl: string, dbName: string, token: string): PouchDB.Database {
  return new PouchDB(`${baseUrl}/db/${dbName}`, {
    skip_setup: true,
    fetch: (url: string | Request, opts?: RequestInit) => {
      const headers = new Headers(opts?.headers);
      headers.set('Authorization', `Bearer ${token}`);
      return PouchDB.fetch(url, { ...opts, headers });
    }
  } as PouchDB.Configuration.RemoteDatabaseConfiguration);
}
