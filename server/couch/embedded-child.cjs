'use strict';
/**
 * The embedded CouchDB-compatible store (express-pouchdb + pouchdb-node on LevelDB), run as a child
 * process of the server and bound to 127.0.0.1 only (DESIGN.md §1).
 *
 * express-pouchdb 4.2.0 has measured defects: `_find`/`_bulk_get`/`_index` ignore `_security`, an
 * unknown `filter` on `_changes` and a non-admin `PUT /{db}` crash the process. The gateway never
 * forwards such requests; as a second layer this wrapper answers 401 to anything not carrying the
 * service account's Basic credentials and 400 to any `filter`, so even a local process cannot reach
 * those paths. If it dies anyway, the parent restarts it. A database deleted while requests read it
 * was re-created by them (below: deletions wait for requests opening it).
 *
 * Plain CommonJS because express-pouchdb is CommonJS and this file must start fast without tsx.
 */
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const dataDir = process.env.EMBEDDED_DATA_DIR;
const user = process.env.EMBEDDED_ADMIN_USER;
const password = process.env.EMBEDDED_ADMIN_PASSWORD;
const port = Number(process.env.EMBEDDED_PORT || 0);
if (!dataDir || !user || !password) {
  console.error('embedded store: EMBEDDED_DATA_DIR, EMBEDDED_ADMIN_USER and EMBEDDED_ADMIN_PASSWORD are required');
  process.exit(2);
}
fs.mkdirSync(dataDir, { recursive: true });

const PouchDB = require('pouchdb-node').defaults({ prefix: dataDir + path.sep });
// map functions compiled once per view, not once per document (embedded-views.cjs: 8x faster indexing)
PouchDB.plugin(require('./embedded-views.cjs').viewsPlugin);
const configPath = path.join(dataDir, 'config.json');
// express-pouchdb hashes plain admin passwords found in its config file on load. Rewrite it each
// start so the admin always matches the credentials the parent holds (no admin party, ever).
fs.writeFileSync(
  configPath,
  JSON.stringify({ admins: { [user]: password }, log: { file: path.join(dataDir, 'couch.log'), level: 'warning' } }, null, 2)
);
// 'validation' is off: express-pouchdb 4.2 with a validate_doc_update silently drops updates written
// with new_edits:false (answers 201 [] and keeps the old revision), which breaks replication of any
// edited document. The gateway enforces the same rules; real CouchDB 3 runs the VDU as well.
const app = require('express-pouchdb')(PouchDB, {
  configPath,
  logPath: path.join(dataDir, 'couch.log'),
  mode: 'fullCouchDB',
  overrideMode: { exclude: ['routes/fauxton', 'routes/replicate', 'replicator', 'routes/special-test-auth', 'routes/vhosts', 'routes/rewrite', 'validation'] }
});

const expected = Buffer.from('Basic ' + Buffer.from(user + ':' + password).toString('base64'));
function authorised(header) {
  if (typeof header !== 'string') return false;
  const got = Buffer.from(header);
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

function deny(res, status, error, reason) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: error, reason: reason }));
}

/**
 * `/_db_updates` as CouchDB 3 answers it (express-pouchdb has only a stub): every request here goes
 * through this process, so a successful write noted on its way out is a database update. Sequences
 * are `{boot}-{n}`: after a restart an old one is refused (400) and the server catches up by a sweep.
 * Longpoll only (what the server uses); the last 10,000 updates are kept.
 */
const boot = crypto.randomBytes(4).toString('hex');
let updateSeq = 0;
const updates = [];
const waiting = new Set();

function noteUpdate(db, type) {
  updates.push({ seq: ++updateSeq, db: db, type: type });
  if (updates.length > 10000) updates.shift();
  for (const wake of waiting) wake();
}

/** The database a request writes, and how ('created', 'updated', 'deleted'), or null for reads. */
function writeOf(method, pathname) {
  if (!['PUT', 'POST', 'DELETE', 'COPY'].includes(method)) return null;
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const db = parts[0];
  if (!db || db.startsWith('_')) return null;
  if (parts.length === 1) return method === 'PUT' ? ['created', db] : method === 'DELETE' ? ['deleted', db] : ['updated', db];
  const second = parts[1];
  if (second === '_bulk_docs') return ['updated', db];
  if (second === '_design') return parts.length === 3 ? ['updated', db] : null; // views are reads
  if (second.startsWith('_')) return null; // _bulk_get, _revs_diff, _all_docs, _local checkpoints…
  return ['updated', db];
}

function dbUpdates(url, req, res) {
  const since = url.searchParams.get('since') || 'now';
  let from;
  if (since === 'now') from = updateSeq;
  else {
    const m = /^([0-9a-f]{8})-(\d+)$/.exec(since);
    if (!m || m[1] !== boot || Number(m[2]) > updateSeq || (updates.length && Number(m[2]) < updates[0].seq - 1)) {
      return deny(res, 400, 'bad_request', 'unknown since: read everything again, then follow from now');
    }
    from = Number(m[2]);
  }
  const answer = () => {
    const latest = new Map();
    for (const u of updates) if (u.seq > from) latest.set(u.db, u);
    const results = [...latest.values()].sort((a, b) => a.seq - b.seq).map((u) => ({ db_name: u.db, type: u.type, seq: boot + '-' + u.seq }));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ results: results, last_seq: boot + '-' + updateSeq }));
  };
  if (updateSeq > from || url.searchParams.get('feed') !== 'longpoll') return answer();
  const timeoutMs = Math.min(Number(url.searchParams.get('timeout')) || 60000, 300000);
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    waiting.delete(finish);
    clearTimeout(timer);
    if (!res.destroyed) answer();
  };
  const timer = setTimeout(finish, timeoutMs);
  waiting.add(finish);
  req.on('close', () => {
    done = true;
    waiting.delete(finish);
    clearTimeout(timer);
  });
}

/**
 * A deleted database must stay deleted. express-pouchdb checks that a database exists (its list from
 * pouchdb-all-dbs), then opens it through one global queue; a request checked just before a deletion
 * opened the database again just after it — re-creating it, empty, and listing it again (measured:
 * most of 40 deletions with reads running beside them; in the backup drill, a worker reading a
 * tenant's databases while they were deleted). So a deletion waits until no request is between that
 * check and holding the database (milliseconds), and requests that arrive during the deletion wait
 * for it to end, then find the database gone (404), as CouchDB answers.
 */
const deleting = new Map(); // database → the deletion in progress
const opening = new Map(); // database → requests between the existence check and holding the database
const openWaiters = new Map(); // database → deletions waiting for its `opening` to reach 0

const epUtils = require('express-pouchdb/lib/utils');
const cleanFilename = require('express-pouchdb/lib/clean-filename');
const setDBOnReq = epUtils.setDBOnReq;
epUtils.setDBOnReq = function (dbName, dbWrapper, req, res, next) {
  const name = cleanFilename(dbName);
  const start = function () {
    opening.set(name, (opening.get(name) || 0) + 1);
    let released = false;
    const release = function () {
      if (released) return;
      released = true;
      const left = opening.get(name) - 1;
      if (left > 0) return void opening.set(name, left);
      opening.delete(name);
      for (const wake of openWaiters.get(name) || []) wake();
      openWaiters.delete(name);
    };
    res.on('close', release);
    res.on('finish', release);
    setDBOnReq(dbName, dbWrapper, req, res, function () {
      release();
      next.apply(null, arguments);
    });
  };
  const pending = deleting.get(name);
  if (pending) pending.then(start);
  else start();
};

function noneOpening(name) {
  if (!opening.get(name)) return Promise.resolve();
  return new Promise(function (resolve) {
    const list = openWaiters.get(name) || [];
    list.push(resolve);
    openWaiters.set(name, list);
  });
}

function handle(req, res, url) {
  const write = writeOf(req.method, url.pathname);
  if (write) {
    res.on('finish', function () {
      if (res.statusCode < 300) noteUpdate(write[1], write[0]);
    });
  }
  if (write && write[0] === 'deleted') {
    const db = cleanFilename(write[1]);
    const done = new Promise(function (resolve) {
      res.on('close', resolve);
      res.on('finish', resolve);
    });
    const previous = deleting.get(db) || Promise.resolve();
    const mine = previous
      .then(function () {
        return noneOpening(db);
      })
      .then(function () {
        app(req, res);
        return done;
      });
    deleting.set(db, mine);
    mine.then(function () {
      if (deleting.get(db) === mine) deleting.delete(db);
    });
    return;
  }
  app(req, res);
}

const server = http.createServer(function (req, res) {
  if (!authorised(req.headers.authorization)) return deny(res, 401, 'unauthorized', 'service credentials required');
  const url = new URL(req.url || '/', 'http://127.0.0.1');
  if (url.searchParams.has('filter')) return deny(res, 400, 'bad_request', 'filters are not supported by the embedded store');
  if (url.pathname === '/_db_updates') return dbUpdates(url, req, res);
  handle(req, res, url);
});
// longpoll/continuous feeds can stay open for a long time.
server.requestTimeout = 0;
server.headersTimeout = 60000;
server.keepAliveTimeout = 5000;

server.listen(port, '127.0.0.1', function () {
  const address = server.address();
  if (process.send) process.send({ type: 'ready', port: address.port });
  else console.log('embedded store listening on 127.0.0.1:' + address.port);
});

// A crash inside express-pouchdb must end the process so the supervisor restarts it clean.
process.on('uncaughtException', function (err) {
  console.error('embedded store crashed:', err && err.stack ? err.stack : err);
  process.exit(70);
});
process.on('disconnect', function () {
  // Parent died: never linger as an orphan holding the LevelDB locks.
  process.exit(0);
});
