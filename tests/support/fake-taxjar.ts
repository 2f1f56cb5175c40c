import type http from 'node:http';
import { LocalProviderServer } from './local-provider-server.ts';

/**
 * A local HTTP server speaking the part of TaxJar's API v2 the official `taxjar` client uses here
 * (https://developers.taxjar.com/api/reference/): `Authorization: Bearer <token>` on every request;
 * GET /v2/categories answers `{categories: [...]}`; GET /v2/rates/:zip (query country, state, city,
 * street) answers `{rate: {...}}` — the US shape (zip, country, state, state_rate, county,
 * county_rate, city, city_rate, combined_district_rate, combined_rate, freight_taxable) or the EU
 * VAT shape (country, name, standard_rate, reduced_rate, super_reduced_rate, parking_rate,
 * distance_sale_threshold, freight_taxable), rates as decimal strings as TaxJar documents them.
 * Errors are TaxJar's `{error, detail, status}` with the HTTP status: 401 for an unknown token, 400 for
 * a malformed ZIP, 404 for a place it has no rates for. Tests set the rates and the accepted tokens —
 * in their own process through the fields, or (the e2e run, where the server is started by the
 * Playwright runner) over HTTP: with `control` on, `PUT /_control/tokens/:token`,
 * `PUT /_control/us/:zip` (a UsRate) and `PUT /_control/vat/:country` (a VatRate). These are not
 * TaxJar's: only tests call them, never the taxjar client.
 */
export interface UsRate {
  state: string;
  state_rate: string;
  county: string;
  county_rate: string;
  city: string;
  city_rate: string;
  combined_district_rate: string;
  freight_taxable?: boolean;
}
export interface VatRate {
  name: string;
  standard_rate: string;
  reduced_rate: string;
  super_reduced_rate: string;
  parking_rate: string;
  distance_sale_threshold: string;
}

/** Sums decimal-string rates without float noise (six decimals, as TaxJar's rates have at most). */
const add = (...rates: string[]) => (rates.reduce((s, r) => s + Math.round(Number(r) * 1e6), 0) / 1e6).toString();

export class FakeTaxjar extends LocalProviderServer {
  readonly tokens = new Set<string>();
  /** US rates by 5-digit ZIP */
  readonly us = new Map<string, UsRate>();
  /** VAT rates by country code */
  readonly vat = new Map<string, VatRate>();
  /** every request: method, path and query, for tests that check what the client sent */
  readonly requests: { method: string; path: string; query: Record<string, string>; auth: string }[] = [];

  constructor(private readonly control = false) {
    super();
  }

  private handleControl(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      const [, , what, key] = path.split('/').map(decodeURIComponent);
      const body = text ? (JSON.parse(text) as unknown) : null;
      if (req.method !== 'PUT' || !key) return this.error(res, 404, 'Not Found', 'unknown control route');
      if (what === 'tokens') this.tokens.add(key);
      else if (what === 'us') this.us.set(key, body as UsRate);
      else if (what === 'vat') this.vat.set(key.toUpperCase(), body as VatRate);
      else return this.error(res, 404, 'Not Found', 'unknown control route');
      this.json(res, 200, { ok: true });
    });
  }

  private error(res: http.ServerResponse, status: number, error: string, detail: string): void {
    this.json(res, status, { error, detail, status });
  }

  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://local');
    if (this.control && url.pathname.startsWith('/_control/')) return void this.handleControl(req, res, url.pathname);
    const auth = req.headers.authorization ?? '';
    this.requests.push({ method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), auth });
    const route = `${req.method} ${url.pathname}`;
    const token = /^(?:Bearer |Token token=")([^"\s]+)"?$/.exec(auth)?.[1];
    if (!token || !this.tokens.has(token)) return this.error(res, 401, 'Unauthorized', `Not authorized for route '${route}'`);
    if (req.method === 'GET' && url.pathname === '/v2/categories') {
      return this.json(res, 200, {
        categories: [
          { name: 'Clothing', product_tax_code: '20010', description: ' All human wearing apparel suitable for general use' },
          { name: 'Food & Groceries', product_tax_code: '40030', description: 'Food for humans consumption, unprepared' }
        ]
      });
    }
    const m = /^\/v2\/rates\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return this.error(res, 404, 'Not Found', 'Resource can not be found');
    const zip = decodeURIComponent(m[1]!);
    const country = (url.searchParams.get('country') ?? 'US').toUpperCase();
    if (country === 'US') {
      if (!/^\d{5}(-\d{4})?$/.test(zip)) return this.error(res, 400, 'Bad Request', 'Invalid zip code');
      const r = this.us.get(zip.slice(0, 5));
      const state = url.searchParams.get('state');
      if (!r || (state && state.toUpperCase() !== r.state)) return this.error(res, 404, 'Not Found', 'Resource can not be found');
      const combined = add(r.state_rate, r.county_rate, r.city_rate, r.combined_district_rate);
      return this.json(res, 200, { rate: { zip: zip.slice(0, 5), country: 'US', country_rate: '0.0', ...r, combined_rate: combined, freight_taxable: r.freight_taxable ?? false } });
    }
    const v = this.vat.get(country);
    if (!v) return this.error(res, 404, 'Not Found', 'Resource can not be found');
    return this.json(res, 200, { rate: { country, ...v, freight_taxable: true } });
  }
}

export async function startFakeTaxjar(opts: { control?: boolean } = {}): Promise<FakeTaxjar> {
  const f = new FakeTaxjar(opts.control);
  await f.start();
  return f;
}
