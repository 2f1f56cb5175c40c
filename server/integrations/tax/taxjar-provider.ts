import Taxjar from 'taxjar';
import { z } from 'zod';
import { TaxProviderError, type JurisdictionRate, type LocationRates, type TaxAddress, type TaxProvider } from './provider.ts';

/**
 * TaxJar (API v2) through its official Node client. `apiUrl` is the client's own option (it appends
 * /v2/); unset, the client talks to https://api.taxjar.com. Answers are checked here: TaxJar documents
 * rates as decimal strings ("0.0625"), the client's types say numbers, so both are read.
 */

const rate = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/).transform(Number)]).pipe(z.number().min(0).max(1));
const name = z.string().trim().max(80).optional().nullable();

const usRate = z.object({
  zip: z.string().optional(),
  country: z.literal('US').optional(),
  state: name,
  state_rate: rate.optional(),
  county: name,
  county_rate: rate.optional(),
  city: name,
  city_rate: rate.optional(),
  combined_district_rate: rate.optional(),
  combined_rate: rate
});
const euRate = z.object({ country: z.string().regex(/^[A-Z]{2}$/), name: name, standard_rate: rate });

/** 0.0625 → 62_500 ppm; TaxJar gives at most six decimals, so rounding only removes float noise. */
const ppm = (r: number | undefined) => Math.round((r ?? 0) * 1_000_000);

/** EU member states (and the UK) whose TaxJar rate answer is the VAT shape (standard/reduced rates). */
const VAT_COUNTRIES = new Set('AT BE BG CY CZ DE DK EE ES FI FR GB GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '));

export class TaxjarProvider implements TaxProvider {
  readonly name = 'taxjar';
  private readonly client: Taxjar;

  constructor(apiKey: string, apiUrl?: string) {
    this.client = new Taxjar(apiUrl ? { apiKey, apiUrl: apiUrl.replace(/\/+$/, '') } : { apiKey });
  }

  async verify(): Promise<void> {
    await this.call(() => this.client.categories());
  }

  async ratesFor(address: TaxAddress): Promise<LocationRates> {
    if (address.country !== 'US' && !VAT_COUNTRIES.has(address.country)) {
      // Canada's answer is one combined rate (GST/HST/PST not split): it cannot be a component table
      throw new TaxProviderError('unsupported', `Rates for ${address.country} are not supported yet; US and EU/UK addresses are`);
    }
    const params: Record<string, string> = { country: address.country };
    if (address.state) params.state = address.state;
    if (address.city) params.city = address.city;
    if (address.street) params.street = address.street;
    const raw: unknown = await this.call(() => this.client.ratesForLocation(address.zip, params));
    const body = z.object({ rate: z.unknown() }).safeParse(raw);
    if (!body.success) throw new TaxProviderError('unavailable', 'TaxJar answered in an unexpected shape');
    return address.country === 'US' ? this.us(body.data.rate) : this.vat(body.data.rate);
  }

  private us(raw: unknown): LocationRates {
    const r = usRate.safeParse(raw);
    if (!r.success) throw new TaxProviderError('unavailable', 'TaxJar answered in an unexpected shape');
    const d = r.data;
    const components: JurisdictionRate[] = [
      { kind: 'state' as const, name: d.state ?? '', ratePpm: ppm(d.state_rate) },
      { kind: 'county' as const, name: d.county ?? '', ratePpm: ppm(d.county_rate) },
      { kind: 'city' as const, name: d.city ?? '', ratePpm: ppm(d.city_rate) },
      // TaxJar sums the special districts of the address into one rate
      { kind: 'special' as const, name: `${d.city || d.county || d.state || ''} districts`.trim(), ratePpm: ppm(d.combined_district_rate) }
    ].filter((c) => c.ratePpm > 0);
    const resolved = Object.fromEntries(Object.entries({ zip: d.zip, state: d.state, county: d.county, city: d.city }).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''));
    return { provider: this.name, components, combinedPpm: ppm(d.combined_rate), resolved };
  }

  private vat(raw: unknown): LocationRates {
    const r = euRate.safeParse(raw);
    if (!r.success) throw new TaxProviderError('unavailable', 'TaxJar answered in an unexpected shape');
    const standard = ppm(r.data.standard_rate);
    const components: JurisdictionRate[] = standard > 0 ? [{ kind: 'country', name: `${r.data.name ?? r.data.country} VAT`, ratePpm: standard }] : [];
    return { provider: this.name, components, combinedPpm: standard, resolved: { country: r.data.country } };
  }

  /** TaxJar's documented errors ({error, detail, status}) as ours; anything else is "unavailable". */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const status = err instanceof Taxjar.Error ? err.status : 0;
      const detail = err instanceof Taxjar.Error ? err.detail : '';
      if (status === 401 || status === 403) throw new TaxProviderError('unauthorized', 'TaxJar refused the API token');
      if (status === 404) throw new TaxProviderError('not_found', `TaxJar has no rates for this address${detail ? ` (${detail})` : ''}`);
      if (status === 400 || status === 422) throw new TaxProviderError('invalid_address', `TaxJar refused the address${detail ? `: ${detail}` : ''}`);
      throw new TaxProviderError('unavailable', 'TaxJar could not be reached; try again later');
    }
  }
}
