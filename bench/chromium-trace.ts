/**
 * A Chromium performance trace over part of a benchmark (opt-in: `BENCH_TRACE=1`), and what it says
 * about the page's long tasks: for each main-thread task over 50 ms, where its time went —
 *  - trace events by self time (JS entry points, GC, style/layout/paint, IndexedDB, Svelte's flush as
 *    the JS under it…),
 *  - garbage collection (outermost GC events),
 *  - JS by self time (the leaf function of each CPU-profile sample) and by the innermost *app* frame on
 *    the stack (so a builtin such as `sort` or `Map.set` is charged to the product function calling it).
 * App frames are minified in a production build: they are mapped back through `build/client/…js.map`
 * when the build has source maps (`npx vite build --sourcemap`), else shown with a snippet of the code.
 * The raw trace is written to test-results/ (open it in DevTools' Performance panel).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
// source maps are read with the library vite's toolchain brings along (optional: without it, snippets)
type SourceMaps = typeof import('source-map-js');

export const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8',
  'v8.execute',
  'disabled-by-default-v8.gc',
  'disabled-by-default-v8.cpu_profiler',
  'blink.user_timing',
  'IndexedDB'
];

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  id?: string | number;
  args?: Record<string, unknown>;
}

export interface Tracer {
  /** stops tracing, writes the raw trace and prints the long-task attribution between the two marks */
  stop(opts: { from: string; to: string; longMs?: number }): Promise<void>;
}

/** Splits the streamed `{"traceEvents":[{…},{…}…]}` into events without holding the whole text. */
export class EventSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private current = '';
  private started = false;
  constructor(private readonly onEvent: (e: TraceEvent) => void) {}
  push(text: string): void {
    let from = -1;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === 92) this.escaped = true;
        else if (ch === 34) this.inString = false;
        continue;
      }
      if (ch === 34) {
        this.inString = true;
        continue;
      }
      if (ch === 123 /* { */) {
        this.depth++;
        // depth 1 is the outer object; events are the objects at depth 2 (inside the array)
        if (this.depth === 2 && this.started) from = i;
      } else if (ch === 125 /* } */) {
        if (this.depth === 2 && this.started) {
          const body = from >= 0 ? text.slice(from, i + 1) : this.current + text.slice(0, i + 1);
          this.current = '';
          from = -1;
          try {
            this.onEvent(JSON.parse(body) as TraceEvent);
          } catch {
            /* a malformed event: skip */
          }
        }
        this.depth--;
      } else if (ch === 91 /* [ */ && this.depth === 1) this.started = true;
      else if (ch === 93 /* ] */ && this.depth === 1) this.started = false;
    }
    if (this.depth >= 2 && this.started) this.current += from >= 0 ? text.slice(from) : text;
  }
}

export async function startTrace(context: BrowserContext, page: Page, outFile: string): Promise<Tracer> {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordAsMuchAsPossible', includedCategories: TRACE_CATEGORIES }
  } as never);
  return {
    async stop({ from, to, longMs = 50 }) {
      const complete = new Promise<{ stream?: string }>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e as { stream?: string })));
      await cdp.send('Tracing.end');
      const { stream } = await complete;
      if (!stream) throw new Error('no trace stream');
      fs.mkdirSync(path.dirname(outFile), { recursive: true });
      const fd = fs.openSync(outFile, 'w');
      const events: TraceEvent[] = [];
      const splitter = new EventSplitter((e) => events.push(e));
      for (;;) {
        const chunk = (await cdp.send('IO.read', { handle: stream, size: 4 << 20 })) as { data: string; eof: boolean; base64Encoded?: boolean };
        const text = chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
        fs.writeSync(fd, text);
        splitter.push(text);
        if (chunk.eof) break;
      }
      fs.closeSync(fd);
      await cdp.send('IO.close', { handle: stream });
      await cdp.detach();
      console.error(`trace: ${events.length} events, ${(fs.statSync(outFile).size / 1e6).toFixed(0)} MB in ${outFile}`);
      const maps = await import('source-map-js').then(
        (m) => ((m as SourceMaps).SourceMapConsumer ? (m as SourceMaps) : (m as unknown as { default: SourceMaps }).default),
        () => null
      );
      analyse(events, from, to, longMs, maps);
    }
  };
}

// --- analysis ----------------------------------------------------------------------------------

interface Span {
  name: string;
  ts: number;
  end: number;
  dur: number;
  child: number;
  ev: TraceEvent;
}

interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url?: string; lineNumber?: number; columnNumber?: number; codeType?: string };
}

const GC = /^(MinorGC|MajorGC|V8\.GC|V8\.GCScavenger|V8\.GCFinalizeMC|V8\.GCIncrementalMarking|V8\.GCCompactor|BlinkGC|ThreadState::|CppGC|V8\.GC_)/;
const STYLE = /^(UpdateLayoutTree|Layout|RecalculateStyles|Paint|PrePaint|Layerize|UpdateLayer|UpdateLayerTree|CompositeLayers|Commit|HitTest|ScheduleStyleRecalculation|InvalidateLayout|IntersectionObserverController::computeIntersections|ParseHTML|ParseAuthorStyleSheet)$/;

const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;

function mainThread(events: TraceEvent[], mark: string): { pid: number; tid: number } | null {
  for (const e of events) if (e.name === mark && (e.cat ?? '').includes('blink.user_timing')) return { pid: e.pid, tid: e.tid };
  // no mark: the renderer main thread with the most events
  const counts = new Map<string, number>();
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && (e.args as { name?: string })?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  for (const e of events) {
    const k = `${e.pid}:${e.tid}`;
    if (mains.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!best) return null;
  const [pid, tid] = best[0].split(':').map(Number);
  return { pid: pid!, tid: tid! };
}

/** Complete spans of one thread (X events, and B/E pairs), sorted outermost first, with child time. */
function spansOf(events: TraceEvent[], pid: number, tid: number): Span[] {
  const out: Span[] = [];
  const open: TraceEvent[] = [];
  for (const e of events) {
    if (e.pid !== pid || e.tid !== tid) continue;
    if (e.ph === 'X' && typeof e.dur === 'number') out.push({ name: e.name, ts: e.ts, end: e.ts + e.dur, dur: e.dur, child: 0, ev: e });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) out.push({ name: b.name, ts: b.ts, end: e.ts, dur: e.ts - b.ts, child: 0, ev: { ...b, args: { ...b.args, ...e.args } } });
    }
  }
  out.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // nesting: each span's direct children's time, so self = dur − child
  const stack: Span[] = [];
  for (const s of out) {
    while (stack.length && stack[stack.length - 1]!.end <= s.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) parent.child += Math.min(s.end, parent.end) - s.ts;
    stack.push(s);
  }
  return out;
}

function label(s: Span): string {
  const d = (s.ev.args?.data ?? s.ev.args?.beginData ?? {}) as { functionName?: string; url?: string; lineNumber?: number; type?: string; timerId?: number };
  if (s.name === 'FunctionCall' || s.name === 'v8.callFunction') return `${s.name} ${d.functionName || '(anonymous)'}${d.url ? ` ${shortUrl(d.url)}:${d.lineNumber ?? ''}` : ''}`;
  if (s.name === 'EventDispatch') return `EventDispatch ${d.type ?? ''}`;
  return s.name;
}

const shortUrl = (u: string) => u.replace(/^https?:\/\/[^/]+/, '').replace('/_app/immutable/', '');

/** Maps minified app positions back to source when a map exists, else a code snippet. */
class Symbolizer {
  private maps = new Map<string, import('source-map-js').SourceMapConsumer | null>();
  private code = new Map<string, string | null>();
  constructor(
    private readonly root: string,
    private readonly lib: SourceMaps | null
  ) {}
  private file(url: string): string | null {
    const m = /^https?:\/\/[^/]+(\/_app\/[^?#]+)/.exec(url);
    return m ? path.join(this.root, m[1]!) : null;
  }
  where(f: ProfileNode['callFrame']): string {
    const name = f.functionName || '(anonymous)';
    if (!f.url) return name;
    const file = this.file(f.url);
    if (!file) return `${name} ${shortUrl(f.url)}:${(f.lineNumber ?? 0) + 1}`;
    if (!this.maps.has(file)) {
      try {
        this.maps.set(file, this.lib ? new this.lib.SourceMapConsumer(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')) as import('source-map-js').RawSourceMap) : null);
      } catch {
        this.maps.set(file, null);
      }
    }
    const map = this.maps.get(file);
    if (map) {
      const o = map.originalPositionFor({ line: (f.lineNumber ?? 0) + 1, column: f.columnNumber ?? 0 });
      if (o.source) return `${o.name ?? name} ${o.source.replace(/^(\.\.\/)+/, '')}:${o.line}`;
    }
    if (!this.code.has(file)) {
      try {
        this.code.set(file, fs.readFileSync(file, 'utf8'));
      } catch {
        this.code.set(file, null);
      }
    }
    const text = this.code.get(file);
    const line = text?.split('\n')[f.lineNumber ?? 0] ?? '';
    const col = f.columnNumber ?? 0;
    return `${name} ${path.basename(file)}:${(f.lineNumber ?? 0) + 1}:${col + 1} «${line.slice(Math.max(0, col - 15), col + 60).replace(/\s+/g, ' ')}»`;
  }
}

interface Sample {
  ts: number;
  dur: number;
  node: number;
}

function samplesOf(events: TraceEvent[], pid: number, tid: number): { nodes: Map<number, ProfileNode>; samples: Sample[] } {
  const nodes = new Map<number, ProfileNode>();
  const samples: Sample[] = [];
  const profiles = events.filter((e) => e.name === 'Profile' && e.pid === pid && e.tid === tid);
  for (const p of profiles) {
    let t = Number((p.args?.data as { startTime?: number })?.startTime ?? p.ts);
    const chunks = events.filter((e) => e.name === 'ProfileChunk' && e.pid === pid && e.id === p.id);
    for (const c of chunks) {
      const data = c.args?.data as { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] };
      for (const n of data?.cpuProfile?.nodes ?? []) nodes.set(n.id, n);
      const ids = data?.cpuProfile?.samples ?? [];
      const deltas = data?.timeDeltas ?? [];
      for (let i = 0; i < ids.length; i++) {
        t += deltas[i] ?? 0;
        samples.push({ ts: t, dur: 0, node: ids[i]! });
      }
    }
  }
  samples.sort((a, b) => a.ts - b.ts);
  for (let i = 0; i < samples.length; i++) samples[i]!.dur = i + 1 < samples.length ? Math.min(samples[i + 1]!.ts - samples[i]!.ts, 10_000) : 0;
  return { nodes, samples };
}

function top(m: Map<string, number>, n: number): string {
  return [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .filter(([, v]) => v >= 500)
    .map(([k, v]) => `${k} ${ms(v)}`)
    .join(' · ');
}

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

export function analyse(events: TraceEvent[], fromMark: string, toMark: string, longMs: number, maps: SourceMaps | null): void {
  const main = mainThread(events, fromMark);
  if (!main) {
    console.error('trace: no renderer main thread found');
    return;
  }
  const markTs = (name: string) => events.find((e) => e.name === name && e.pid === main.pid && (e.cat ?? '').includes('blink.user_timing'))?.ts;
  const from = markTs(fromMark) ?? -Infinity;
  const to = markTs(toMark) ?? Infinity;
  const spans = spansOf(events, main.pid, main.tid);
  const isTask = (s: Span) => s.name === 'RunTask' || s.name === 'ThreadControllerImpl::RunTask' || s.name === 'RunMicrotasks';
  // outermost tasks only
  const tasks: Span[] = [];
  let until = -Infinity;
  for (const s of spans) {
    if (!isTask(s) || s.ts < until) continue;
    tasks.push(s);
    until = s.end;
  }
  const long = tasks.filter((t) => t.ts >= from && t.ts <= to && t.dur > longMs * 1000);
  const { nodes, samples } = samplesOf(events, main.pid, main.tid);
  const sym = new Symbolizer(path.resolve(import.meta.dirname, '../build/client'), maps);
  const isApp = (n: ProfileNode) => !!n.callFrame.url && /\/_app\//.test(n.callFrame.url);
  const inWindow = tasks.filter((t) => t.ts >= from && t.ts <= to);
  console.error(
    `trace: ${inWindow.length} main-thread tasks between the marks (${ms(Math.max(0, (to === Infinity ? 0 : to) - (from === -Infinity ? 0 : from)))}), ${long.length} over ${longMs} ms: ${JSON.stringify(long.map((t) => Math.round(t.dur / 1000)))}; CPU samples ${samples.length}`
  );
  const totalSelf = new Map<string, number>();
  const totalApp = new Map<string, number>();
  let totalGc = 0;
  long.forEach((t, k) => {
    const inner = spans.filter((s) => s !== t && s.ts >= t.ts && s.end <= t.end);
    const self = new Map<string, number>();
    let gc = 0;
    let style = 0;
    let gcUntil = -Infinity;
    const gcNames = new Map<string, number>();
    for (const s of inner) {
      add(self, label(s), s.dur - s.child);
      if (GC.test(s.name)) {
        if (s.ts >= gcUntil) {
          gc += s.dur;
          add(gcNames, s.name, s.dur);
          gcUntil = s.end;
        }
      } else if (STYLE.test(s.name)) style += s.dur - s.child;
    }
    const taskSelf = t.dur - t.child;
    if (taskSelf > 0) add(self, `${t.name} (self)`, taskSelf);
    const jsSelf = new Map<string, number>();
    const jsApp = new Map<string, number>();
    let js = 0;
    for (const smp of samples) {
      if (smp.ts < t.ts || smp.ts > t.end) continue;
      const leaf = nodes.get(smp.node);
      if (!leaf) continue;
      const fn = leaf.callFrame.functionName;
      if (fn === '(idle)') continue;
      js += smp.dur;
      add(jsSelf, fn === '(garbage collector)' || fn === '(program)' || !leaf.callFrame.url ? fn || '(native)' : sym.where(leaf.callFrame), smp.dur);
      let n: ProfileNode | undefined = leaf;
      while (n && !isApp(n)) n = n.parent !== undefined ? nodes.get(n.parent) : undefined;
      const appKey = n ? sym.where(n.callFrame) : `(no app frame: ${fn || '(native)'})`;
      add(jsApp, appKey, smp.dur);
      add(totalApp, appKey, smp.dur);
    }
    for (const [k2, v] of self) add(totalSelf, k2, v);
    totalGc += gc;
    const at = from === -Infinity ? '' : ` at +${((t.ts - from) / 1000).toFixed(0)} ms`;
    console.error(`trace: long task ${k + 1}/${long.length}${at}, ${ms(t.dur)}: GC ${ms(gc)}${gcNames.size ? ` (${top(gcNames, 4)})` : ''}, style/layout/paint ${ms(style)}, sampled JS ${ms(js)}`);
    console.error(`  trace events by self time: ${top(self, 8)}`);
    console.error(`  JS self (leaf of each sample): ${top(jsSelf, 8)}`);
    console.error(`  JS by innermost app frame: ${top(jsApp, 8)}`);
  });
  if (long.length) {
    console.error(`trace: over all ${long.length} long tasks: GC ${ms(totalGc)}; events by self time: ${top(totalSelf, 10)}`);
    console.error(`trace: over all long tasks, JS by innermost app frame: ${top(totalApp, 12)}`);
  }
}
