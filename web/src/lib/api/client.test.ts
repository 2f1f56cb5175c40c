import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, errorText, InvalidCsvError } from './client';

/** The browser's API funnel against a stubbed fetch: every failure comes out as an ApiError. */
function answer(res: Response | Error) {
  const fetch = vi.fn(async () => {
    if (res instanceof Error) throw res;
    return res;
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

describe('api client', () => {
  it('sends JSON with the bearer token and returns the checked body', async () => {
    const fetch = answer(json(200, { locations: [{ code: 'GM', name: 'Nexus Grand Mall', address: '1 Mall', timeZone: 'America/New_York', currency: 'USD' }] }));
    const out = await api.locations('tok');
    expect(out.locations.map((l) => l.code)).toEqual(['GM']);
    expect(fetch).toHaveBeenCalledWith('/api/v1/locations', expect.objectContaining({ method: 'GET', headers: expect.objectContaining({ authorization: 'Bearer tok' }) }));
  });

  it('passes the server’s error code and message through', async () => {
    answer(json(423, { error: 'locked', message: 'Too many failed attempts; try again in 15 minutes' }));
    await expect(api.login('a@b.c', 'x')).rejects.toMatchObject({ status: 423, code: 'locked', message: 'Too many failed attempts; try again in 15 minutes' });
  });

  it('an error without our body still has a message', async () => {
    answer(new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(api.refresh()).rejects.toMatchObject({ status: 502, code: 'http_error', message: 'The server answered 502.' });
  });

  it('no network is status 0, "offline"', async () => {
    answer(new TypeError('Failed to fetch'));
    const err = await api.enrol('ABCD-EFGH').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'offline' });
  });

  it('a 200 that is not JSON (a captive portal page) or not the expected shape is a bad_response', async () => {
    answer(new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 }));
    await expect(api.refresh()).rejects.toMatchObject({ code: 'bad_response' });
    answer(json(200, { accessToken: 1 }));
    await expect(api.refresh()).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('a 204 needs no body', async () => {
    answer(new Response(null, { status: 204 }));
    await expect(api.logout()).resolves.toBeUndefined();
  });
});

/** A stand-in XMLHttpRequest that answers `status`/`body` after reporting upload progress. */
function xhrAnswer(status: number, body: string) {
  const sent: { method: string; url: string; headers: Record<string, string>; body: unknown }[] = [];
  class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null; onload: (() => void) | null } = { onprogress: null, onload: null };
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    private req = { method: '', url: '', headers: {} as Record<string, string>, body: undefined as unknown };
    open(method: string, url: string) {
      this.req.method = method;
      this.req.url = url;
    }
    setRequestHeader(k: string, v: string) {
      this.req.headers[k] = v;
    }
    send(b: unknown) {
      this.req.body = b;
      sent.push(this.req);
      queueMicrotask(() => {
        this.upload.onprogress?.({ loaded: 5, total: 10, lengthComputable: true });
        this.upload.onprogress?.({ loaded: 10, total: 10, lengthComputable: true });
        this.upload.onload?.();
        if (status === 0) return this.onerror?.();
        this.status = status;
        this.responseText = body;
        this.onload?.();
      });
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return sent;
}

const counts = (create: number, update: number, unchanged: number) => ({ create, update, unchanged });
const summary = {
  dryRun: true,
  counts: { products: counts(3, 0, 0), variants: counts(4, 0, 0), categories: { create: 1 }, rows: 4 },
  changes: [{ handle: 'tee', action: 'create', fields: [], variants: counts(2, 0, 0) }],
  written: { products: 0, categories: 0 }
};

describe('catalog CSV calls', () => {
  it('a dry run posts the file as text/csv with the token and reports upload progress', async () => {
    const sent = xhrAnswer(200, JSON.stringify(summary));
    const progress: unknown[] = [];
    const file = new Blob(['handle,name\n'], { type: '' });
    const out = await api.importCatalog('tok', file, { dryRun: true, onProgress: (p) => progress.push(p) });
    expect(out.counts.products.create).toBe(3);
    expect(sent[0]).toMatchObject({ method: 'POST', url: '/api/v1/catalog/import?dryRun=1', headers: { 'content-type': 'text/csv', authorization: 'Bearer tok' }, body: file });
    expect(progress).toEqual([{ phase: 'uploading', loaded: 5, total: 10 }, { phase: 'uploading', loaded: 10, total: 10 }, { phase: 'processing' }]);
  });

  it('the import itself has no dryRun', async () => {
    const sent = xhrAnswer(200, JSON.stringify({ ...summary, dryRun: false, written: { products: 3, categories: 1 } }));
    const out = await api.importCatalog('tok', new Blob(['x']), { dryRun: false });
    expect(sent[0]!.url).toBe('/api/v1/catalog/import');
    expect(out.written.products).toBe(3);
  });

  it('a file with problems rejects with its row-level errors', async () => {
    xhrAnswer(422, JSON.stringify({ error: 'invalid_csv', message: '2 problems in the file', errorCount: 2, errors: [{ row: 3, column: 'price', message: 'not a price' }, { row: 4, column: null, message: 'too many fields' }] }));
    const err = await api.importCatalog('tok', new Blob(['x']), { dryRun: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidCsvError);
    expect(err).toMatchObject({ status: 422, code: 'invalid_csv', errorCount: 2, errors: [{ row: 3, column: 'price' }, { row: 4, column: null }] });
  });

  it('other failures come out as ApiErrors: the server’s, a proxy page, no network, a wrong shape', async () => {
    xhrAnswer(403, JSON.stringify({ error: 'forbidden', message: 'Importing products needs the catalog:edit permission' }));
    await expect(api.importCatalog('tok', new Blob(['x']), { dryRun: true })).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    xhrAnswer(413, '<html>Too large</html>');
    await expect(api.importCatalog('tok', new Blob(['x']), { dryRun: true })).rejects.toMatchObject({ status: 413, code: 'http_error' });
    xhrAnswer(0, '');
    await expect(api.importCatalog('tok', new Blob(['x']), { dryRun: true })).rejects.toMatchObject({ status: 0, code: 'offline' });
    xhrAnswer(200, '{"dryRun":true}');
    await expect(api.importCatalog('tok', new Blob(['x']), { dryRun: true })).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('the export comes back as a CSV blob with the server’s file name', async () => {
    const fetch = answer(new Response('handle,name\r\n', { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="catalog-t1.csv"' } }));
    const out = await api.exportCatalog('tok');
    expect(out.filename).toBe('catalog-t1.csv');
    expect(await out.csv.text()).toBe('handle,name\r\n');
    expect(fetch).toHaveBeenCalledWith('/api/v1/catalog/export', expect.objectContaining({ headers: expect.objectContaining({ authorization: 'Bearer tok' }) }));
    answer(new Response('<html>Sign in to the Wi-Fi</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    await expect(api.exportCatalog('tok')).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('errorText', () => {
  it("shows the server's message for an API error and the fallback for anything else", () => {
    expect(errorText(new ApiError(409, 'stale_revision', 'Someone else saved this product first.'), 'Could not save.')).toBe('Someone else saved this product first.');
    expect(errorText(new InvalidCsvError('The file has 2 problems.', [], 2), 'Could not import.')).toBe('The file has 2 problems.');
    expect(errorText(new TypeError('Failed to fetch'), 'Could not save.')).toBe('Could not save.');
    expect(errorText('boom')).toBe('Something went wrong; try again.');
  });
});
