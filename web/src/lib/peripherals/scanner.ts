import { ScanDetector, type ScanOptions } from './scanner-core.ts';

export type { ScanOptions } from './scanner-core.ts';
export { SCAN_DEFAULTS, calibrate } from './scanner-core.ts';

type TextField = HTMLInputElement | HTMLTextAreaElement;

interface FieldSnapshot {
  field: TextField;
  value: string;
  selectionStart: number | null;
  selectionEnd: number | null;
}

function textField(target: EventTarget | null): TextField | null {
  if (typeof HTMLTextAreaElement !== 'undefined' && target instanceof HTMLTextAreaElement) return target;
  if (typeof HTMLInputElement !== 'undefined' && target instanceof HTMLInputElement) return target;
  return null;
}

function snapshot(target: EventTarget | null): FieldSnapshot | null {
  const field = textField(target);
  if (!field) return null;
  // selectionStart is null on input types without a caret API (number, email).
  return { field, value: field.value, selectionStart: field.selectionStart, selectionEnd: field.selectionEnd };
}

/** Puts a field back as it was before the burst, and tells bindings (Svelte bind:value listens to input). */
function restore(s: FieldSnapshot): void {
  if (s.field.value === s.value) return;
  s.field.value = s.value;
  if (s.selectionStart !== null && s.selectionEnd !== null) {
    try {
      s.field.setSelectionRange(s.selectionStart, s.selectionEnd);
    } catch {
      // input types without a selection API
    }
  }
  s.field.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Elements (or their ancestors) marked data-scanner="ignore" receive scans as plain typing. */
function ignored(target: EventTarget | null): boolean {
  return typeof Element !== 'undefined' && target instanceof Element && target.closest('[data-scanner="ignore"]') !== null;
}

/**
 * Listens for keyboard-wedge scans anywhere under `target` (usually `window`). Returns a stop function.
 *
 * Approach: keys are never held back — holding every key until we know it is not a scan would lag
 * and mangle normal typing. Instead each key remembers the focused text field as it was before the
 * key; when a run turns out to be a scan (scanner-core.ts), the suffix key is swallowed (no form
 * submit, no Tab out of the field) and the field is put back as it was before the scan's first key,
 * so the code lands in `onScan` and not in the search box. Slow typing never matches, so it is
 * never touched. Held keys (repeat) and keys with Ctrl/Meta break a run. Listens in the capture
 * phase so inputs that stop propagation, or submit on Enter, do not hide scans. Mount it once for
 * the app's life (not per screen), so a scan that starts during a screen change keeps its first keys.
 */
export function listenForScans(target: Window | HTMLElement, onScan: (code: string) => void, opts: ScanOptions = {}): () => void {
  const detector = new ScanDetector<FieldSnapshot | null>(opts);
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  const finish = (snap: FieldSnapshot | null | undefined, code: string) => {
    if (snap) restore(snap);
    onScan(code);
  };

  const onKeyDown = (event: Event) => {
    const e = event as KeyboardEvent;
    if (e.isComposing || ignored(e.target)) return;
    if ((e.ctrlKey || e.metaKey) && !e.getModifierState?.('AltGraph')) {
      detector.reset();
      return;
    }
    const result = detector.key(e.key, e.timeStamp, e.repeat, snapshot(e.target));
    if (result.type === 'scan') {
      e.preventDefault();
      e.stopPropagation();
      finish(result.tag, result.code);
    } else if (result.type === 'char' && detector.suffix === 'none') {
      // no suffix: the scan ends when the keys stop
      clearTimeout(idleTimer);
      const at = e.timeStamp;
      idleTimer = setTimeout(() => {
        const r = detector.idle(at + detector.maxGapMs);
        if (r.type === 'scan') finish(r.tag, r.code);
      }, detector.maxGapMs + 5);
    }
  };

  target.addEventListener('keydown', onKeyDown, { capture: true });
  return () => {
    clearTimeout(idleTimer);
    target.removeEventListener('keydown', onKeyDown, { capture: true });
  };
}
