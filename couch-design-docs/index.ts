import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Design documents live as plain source files, one folder per database kind:
 *   {kind}/{ddoc}/views/{view}/map.js   (+ `reduce`: a builtin like `_sum`, or reduce.js)
 *   {kind}/{ddoc}/validate_doc_update.js
 *   {kind}/indexes.json                  (Mango indexes)
 * and `_shared/{ddoc}` for documents several kinds use. Functions are read as text, never imported,
 * so what CouchDB runs is byte-for-byte the file (no bundler rewrite, stable version hash) and the
 * unit tests evaluate the very same text.
 */
export const DB_KINDS = ['catalog', 'location', 'customers', 'audit', 'platform', 'integrations'] as const;
export type DesignKind = (typeof DB_KINDS)[number];

const ROOT = path.dirname(fileURLToPath(import.meta.url));
/** Shared design docs and the kinds that get them. */
const SHARED: Record<string, DesignKind[]> = { events: ['location', 'customers'], conflicts: ['catalog', 'location', 'customers'] };

export interface DesignDoc {
  _id: string;
  language: 'javascript';
  views?: Record<string, { map: string; reduce?: string }>;
  validate_doc_update?: string;
  /** sha256 of everything above: deploys skip documents whose version is unchanged */
  version: string;
  /**
   * Which release of the design documents this is (generation.json): a version is a hash and says
   * nothing about order, so when two releases run at once (a rolling deploy) the one with the lower
   * generation never writes over the other's documents. Not part of `version`.
   */
  generation: number;
}

export interface MangoIndex {
  name: string;
  ddoc: string;
  index: { fields: string[] };
}

const read = (p: string) => fs.readFileSync(p, 'utf8').trim();
const dirs = (p: string) => (fs.existsSync(p) ? fs.readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : []);

/**
 * The generation lock: the current generation and the version of every design document in it. A
 * changed document gets `generation + 1` until `npm run ddocs:stamp` records it (a unit test fails
 * until then), so a development run already upgrades over the last release's documents.
 */
export const GENERATION_FILE = path.join(ROOT, 'generation.json');
export interface GenerationLock {
  generation: number;
  /** `{kind}/{_id}` → version */
  versions: Record<string, string>;
}
export function readGenerationLock(): GenerationLock {
  return fs.existsSync(GENERATION_FILE) ? (JSON.parse(fs.readFileSync(GENERATION_FILE, 'utf8')) as GenerationLock) : { generation: 0, versions: {} };
}
const lockKey = (kind: DesignKind, id: string) => `${kind}/${id}`;

function loadDesignDoc(dir: string, name: string): Omit<DesignDoc, 'generation'> {
  const body: Omit<DesignDoc, 'version' | 'generation'> = { _id: `_design/${name}`, language: 'javascript' };
  const views: NonNullable<DesignDoc['views']> = {};
  for (const view of dirs(path.join(dir, 'views'))) {
    const vdir = path.join(dir, 'views', view);
    const v: { map: string; reduce?: string } = { map: read(path.join(vdir, 'map.js')) };
    if (fs.existsSync(path.join(vdir, 'reduce'))) v.reduce = read(path.join(vdir, 'reduce'));
    else if (fs.existsSync(path.join(vdir, 'reduce.js'))) v.reduce = read(path.join(vdir, 'reduce.js'));
    views[view] = v;
  }
  if (Object.keys(views).length) body.views = views;
  const vdu = path.join(dir, 'validate_doc_update.js');
  if (fs.existsSync(vdu)) body.validate_doc_update = read(vdu);
  const version = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { ...body, version };
}

/** The design documents as the sources say, with their versions; no generation (see generation.json). */
export function sourceDesignDocsFor(kind: DesignKind): Omit<DesignDoc, 'generation'>[] {
  const own = dirs(path.join(ROOT, kind)).map((name) => loadDesignDoc(path.join(ROOT, kind, name), name));
  const shared = Object.entries(SHARED)
    .filter(([, kinds]) => kinds.includes(kind))
    .map(([name]) => loadDesignDoc(path.join(ROOT, '_shared', name), name));
  return [...own, ...shared];
}

export function designDocsFor(kind: DesignKind): DesignDoc[] {
  const lock = readGenerationLock();
  return sourceDesignDocsFor(kind).map((d) => ({ ...d, generation: lock.versions[lockKey(kind, d._id)] === d.version ? lock.generation : lock.generation + 1 }));
}

/** The lock for the current sources: unchanged when nothing changed, else the next generation. */
export function stampGeneration(current: GenerationLock = readGenerationLock()): GenerationLock {
  const versions: Record<string, string> = {};
  for (const kind of DB_KINDS) for (const d of sourceDesignDocsFor(kind)) versions[lockKey(kind, d._id)] = d.version;
  const same = JSON.stringify(Object.entries(versions).sort()) === JSON.stringify(Object.entries(current.versions).sort());
  return same ? current : { generation: current.generation + 1, versions };
}

export function mangoIndexesFor(kind: DesignKind): MangoIndex[] {
  const file = path.join(ROOT, kind, 'indexes.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as MangoIndex[]) : [];
}
