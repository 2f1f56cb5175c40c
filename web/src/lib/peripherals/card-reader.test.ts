import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StripeTerminal } from '@stripe/terminal-js';
import { NEEDS_CONNECTION, SimulatedCardReader, StripeTerminalReader } from './card-reader.ts';

afterEach(() => vi.unstubAllGlobals());

function fakeSdk(overrides: Record<string, unknown> = {}) {
  let status = 'not_connected';
  const terminal = {
    getConnectionStatus: () => status,
    discoverReaders: vi.fn(async () => ({ discoveredReaders: [{ id: 'tmr_1' }, { id: 'tmr_2' }] })),
    connectReader: vi.fn(async (reader: { id: string }) => {
      status = 'connected';
      return { reader };
    }),
    collectPaymentMethod: vi.fn(async (secret: string) => ({ paymentIntent: { id: `pi_${secret}` } })),
    processPayment: vi.fn(async (pi: { id: string }) => ({ paymentIntent: { id: pi.id } })),
    cancelCollectPaymentMethod: vi.fn(async () => ({})),
    ...overrides
  };
  const sdk = { create: vi.fn(() => terminal) } as unknown as StripeTerminal;
  return { sdk, terminal };
}

const base = {
  fetchConnectionToken: async () => 'pst_test',
  createPaymentIntent: async (amount: number, currency: string) => ({ clientSecret: `${amount}${currency}` })
};

describe('StripeTerminalReader', () => {
  it('connects the chosen reader and returns the PaymentIntent id', async () => {
    const { sdk, terminal } = fakeSdk();
    const reader = new StripeTerminalReader({ ...base, readerId: 'tmr_2', simulated: true, loadTerminal: async () => sdk });
    expect(await reader.collectPayment(3347, 'USD')).toEqual({ reference: 'pi_3347usd' });
    expect(terminal.discoverReaders).toHaveBeenCalledWith({ simulated: true });
    expect(terminal.connectReader).toHaveBeenCalledWith({ id: 'tmr_2' });
    await reader.collectPayment(100, 'USD');
    expect(terminal.connectReader).toHaveBeenCalledTimes(1); // stays connected
  });

  it('needs a connection: offline, or the SDK script cannot load', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const load = vi.fn();
    await expect(new StripeTerminalReader({ ...base, loadTerminal: load }).collectPayment(100, 'USD')).rejects.toThrow(NEEDS_CONNECTION);
    expect(load).not.toHaveBeenCalled();
    vi.stubGlobal('navigator', { onLine: true });
    await expect(new StripeTerminalReader({ ...base, loadTerminal: async () => Promise.reject(new Error('script error')) }).collectPayment(100, 'USD')).rejects.toThrow(NEEDS_CONNECTION);
    await expect(new StripeTerminalReader({ ...base, loadTerminal: async () => null }).collectPayment(100, 'USD')).rejects.toThrow(NEEDS_CONNECTION);
    await expect(new StripeTerminalReader({ ...base, loadTimeoutMs: 20, loadTerminal: () => new Promise(() => undefined) }).collectPayment(100, 'USD')).rejects.toThrow(NEEDS_CONNECTION);
  });

  it('passes on declines and reader errors as clear messages', async () => {
    const { sdk } = fakeSdk({ processPayment: async () => ({ error: { message: 'Your card was declined.' } }) });
    await expect(new StripeTerminalReader({ ...base, loadTerminal: async () => sdk }).collectPayment(100, 'USD')).rejects.toThrow('Card declined: Your card was declined.');
    const none = fakeSdk({ discoverReaders: async () => ({ discoveredReaders: [] }) });
    await expect(new StripeTerminalReader({ ...base, loadTerminal: async () => none.sdk }).collectPayment(100, 'USD')).rejects.toThrow('No card reader is online at this location.');
    await expect(new StripeTerminalReader({ ...base, loadTerminal: async () => sdk }).collectPayment(1.5, 'USD')).rejects.toThrow(/whole number/);
  });
});

describe('SimulatedCardReader', () => {
  it('approves, declines once when told, and can be offline or cancelled', async () => {
    const reader = new SimulatedCardReader();
    expect(await reader.collectPayment(500, 'USD')).toEqual({ reference: 'pi_simulated_1' });
    reader.failNext('Card declined: insufficient funds');
    await expect(reader.collectPayment(500, 'USD')).rejects.toThrow('insufficient funds');
    reader.offline = true;
    await expect(reader.collectPayment(500, 'USD')).rejects.toThrow(NEEDS_CONNECTION);
    reader.offline = false;
    const slow = new SimulatedCardReader(1000);
    const pending = slow.collectPayment(500, 'USD');
    await slow.cancel();
    await expect(pending).rejects.toThrow('cancelled');
    expect(reader.payments).toEqual([{ amount: 500, currency: 'USD', reference: 'pi_simulated_1' }]);
  });
});
