import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Node faults on the local CouchDB cluster that `../shared/couchdb/start` launched (its directory in
 * COUCHDB_TEST_DIR, one pid per node in `pids`, node k's config in `nodek/`). Without that directory
 * (the embedded store, or IT's own cluster) there is no node to stop: `clusterNodes()` is 0.
 */
const dir = process.env.COUCHDB_TEST_DIR ?? '';
const dist = process.env.COUCHDB_DIST ?? path.join(process.env.TMPDIR ?? os.tmpdir(), 'couchdb-3.4.3-dist');

function pids(): number[] {
  return fs.readFileSync(path.join(dir, 'pids'), 'utf8').trim().split('\n').map(Number);
}

export function clusterNodes(): number {
  return dir && process.env.COUCH_URL && fs.existsSync(path.join(dir, 'pids')) ? pids().length : 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function nodePort(k: number): number {
  return Number(/port = (\d+)/.exec(fs.readFileSync(path.join(dir, `node${k}`, 'local.ini'), 'utf8'))![1]);
}

/** Each node's own HTTP address: requests sent to different nodes are coordinated by different nodes, as behind a load balancer. */
export function nodeUrls(): string[] {
  return Array.from({ length: clusterNodes() }, (_, i) => `http://127.0.0.1:${nodePort(i + 1)}`);
}

/** Kills node k (1-based) outright, as a machine losing power would; returns once it is gone. */
export async function killNode(k: number): Promise<void> {
  const pid = pids()[k - 1]!;
  try {
    process.kill(-pid, 'SIGKILL'); // its process group (started with setsid)
  } catch {
    process.kill(pid, 'SIGKILL');
  }
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Starts node k again on its data and config, and waits until it answers `/_up`. */
export async function restartNode(k: number): Promise<void> {
  const nd = path.join(dir, `node${k}`);
  const out = fs.openSync(path.join(nd, 'stdout.log'), 'a');
  const child = spawn('setsid', [path.join(dist, 'bin', 'couchdb')], {
    env: { ...process.env, COUCHDB_ARGS_FILE: path.join(nd, 'vm.args'), COUCHDB_INI_FILES: `${path.join(dist, 'etc', 'default.ini')} ${path.join(nd, 'local.ini')}` },
    // not `detached`: setsid then makes the node its own session leader without forking, so the
    // pid recorded is the node's
    stdio: ['ignore', out, out]
  });
  child.unref();
  const list = pids();
  list[k - 1] = child.pid!;
  fs.writeFileSync(path.join(dir, 'pids'), list.join('\n') + '\n'); // so `stop` finds it
  const port = nodePort(k);
  const auth = 'Basic ' + Buffer.from(`${process.env.COUCH_USER}:${process.env.COUCH_PASSWORD}`).toString('base64');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const up = await fetch(`http://127.0.0.1:${port}/_up`, { headers: { authorization: auth } }).then((r) => r.ok, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`CouchDB node ${k} did not come back; see ${nd}/stdout.log`);
}
