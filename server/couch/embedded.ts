import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';

const CHILD_SCRIPT = fileURLToPath(new URL('./embedded-child.cjs', import.meta.url));
/** Restart backoff: quick first retry (a crash is usually one bad request), capped so a broken disk does not spin. */
const RESTART_BACKOFF_MS = [100, 500, 1_000, 2_000, 5_000];
const READY_TIMEOUT_MS = 30_000;

export interface CouchCredentials {
  url: string;
  user: string;
  password: string;
}

/** Admin credentials are generated on first start and kept (0600) in the data dir. */
function loadOrCreateCredentials(dir: string): { user: string; password: string } {
  const file = path.join(dir, 'credentials.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { user: string; password: string };
  const creds = { user: 'pos_service', password: randomBytes(24).toString('base64url') };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(creds), { mode: 0o600 });
  return creds;
}

/** The running embedded store of a data dir, if any (its LevelDB files can have only one owner). */
export function runningEmbeddedCouch(dataDir: string): CouchCredentials | null {
  const dir = path.join(dataDir, 'couch');
  try {
    const { port, pid } = JSON.parse(fs.readFileSync(path.join(dir, 'runtime.json'), 'utf8')) as { port: number; pid: number };
    process.kill(pid, 0); // throws if no such process
    const creds = loadOrCreateCredentials(dir);
    return { url: `http://127.0.0.1:${port}`, ...creds };
  } catch {
    return null;
  }
}

/**
 * Supervises the embedded store child process: starts it, restarts it when it dies (it can crash on
 * inputs the gateway should never send, DESIGN.md §1), and keeps the same port across restarts so
 * the proxy URL stays valid.
 */
export class EmbeddedCouch extends EventEmitter {
  private child: ChildProcess | null = null;
  private port: number;
  private stopping = false;
  private restarts = 0;
  readonly user: string;
  readonly password: string;
  readonly dir: string;

  constructor(dataDir: string, port: number, private readonly log: Logger) {
    super();
    this.dir = path.join(dataDir, 'couch');
    const creds = loadOrCreateCredentials(this.dir);
    this.user = creds.user;
    this.password = creds.password;
    this.port = port;
  }

  get credentials(): CouchCredentials {
    return { url: `http://127.0.0.1:${this.port}`, user: this.user, password: this.password };
  }

  get restartCount(): number {
    return this.restarts;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  async start(): Promise<CouchCredentials> {
    this.stopping = false;
    await this.spawnChild();
    return this.credentials;
  }

  private spawnChild(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = fork(CHILD_SCRIPT, [], {
        // plain CommonJS: not the parent's flags (`npm start` runs the parent under tsx, whose loader
        // would otherwise hook every module the store loads and slow its start)
        execArgv: [],
        env: {
          PATH: process.env.PATH ?? '',
          EMBEDDED_DATA_DIR: path.join(this.dir, 'dbs'),
          EMBEDDED_ADMIN_USER: this.user,
          EMBEDDED_ADMIN_PASSWORD: this.password,
          EMBEDDED_PORT: String(this.port)
        },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc']
      });
      this.child = child;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('embedded store did not become ready in time'));
      }, READY_TIMEOUT_MS);
      child.on('message', (msg: { type?: string; port?: number }) => {
        if (msg.type === 'ready' && typeof msg.port === 'number') {
          clearTimeout(timer);
          this.port = msg.port;
          // Lets `npm run tenant:create` find a store that a running server already owns.
          fs.writeFileSync(path.join(this.dir, 'runtime.json'), JSON.stringify({ port: msg.port, pid: child.pid }));
          this.log.info({ port: msg.port, pid: child.pid }, 'embedded store ready');
          this.emit('ready', this.credentials);
          resolve();
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) this.child = null;
        if (this.stopping) return;
        this.log.error({ code, signal }, 'embedded store exited; restarting');
        this.emit('exit', { code, signal });
        const delay = RESTART_BACKOFF_MS[Math.min(this.restarts, RESTART_BACKOFF_MS.length - 1)]!;
        this.restarts++;
        setTimeout(() => {
          if (this.stopping) return;
          this.spawnChild().catch((err: unknown) => this.log.error({ err }, 'embedded store restart failed'));
        }, delay).unref();
        reject(new Error(`embedded store exited during start (code ${code})`));
      });
    });
  }

  /** For tests of the supervisor and fault suites: kill the child as a crash would. */
  crashForTest(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    // a child that died by a signal has exitCode null and signalCode set: it will emit no more 'exit'
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
    });
  }
}
