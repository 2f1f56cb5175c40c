import type { ComponentKind } from '#domain/tax/types.ts';

/**
 * A tax service that knows the jurisdiction rates of an address (TaxJar today; Avalara or Stripe Tax
 * can implement the same). The use cases (service.ts) turn its answer into a proposed tax-table
 * version; a provider never writes anything of ours.
 */

/** Where a store is: what a rate lookup needs (US: the ZIP is required, street and city refine it). */
export interface TaxAddress {
  /** ISO 3166-1 alpha-2, upper case */
  country: string;
  zip: string;
  state?: string | undefined;
  city?: string | undefined;
  street?: string | undefined;
}

/** One jurisdiction's share as the provider names it; a rate in parts per million (6.25 % = 62_500). */
export interface JurisdictionRate {
  kind: ComponentKind;
  /** the provider's name for it (e.g. CA, LOS ANGELES): the component's id and name are made from it */
  name: string;
  ratePpm: number;
}

export interface LocationRates {
  provider: string;
  /** the jurisdictions with a non-zero rate, broadest first */
  components: JurisdictionRate[];
  /** the provider's own total, kept to check the components add up to it */
  combinedPpm: number;
  /** what the provider resolved the address to (ZIP, state, county, city) */
  resolved: Record<string, string>;
}

export type TaxProviderFailure = 'unauthorized' | 'not_found' | 'invalid_address' | 'unsupported' | 'unavailable';

/** A provider's refusal in our terms; service.ts maps it to a 4xx the admin can act on, or a 503. */
export class TaxProviderError extends Error {
  constructor(
    readonly failure: TaxProviderFailure,
    message: string
  ) {
    super(message);
  }
}

export interface TaxProvider {
  readonly name: string;
  /** Checks the credentials with a cheap authenticated call; throws TaxProviderError('unauthorized'). */
  verify(): Promise<void>;
  ratesFor(address: TaxAddress): Promise<LocationRates>;
}
