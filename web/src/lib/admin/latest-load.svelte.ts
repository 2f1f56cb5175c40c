import { errorText } from '$lib/api/client';

/**
 * A list page's loading where the latest request wins: when someone types or pages faster than the
 * server answers, a late answer to an older search is dropped instead of replacing the newer one.
 * `loading` and `error` are reactive, for the page's status line and alert.
 */
export class LatestLoad {
  loading = $state(false);
  error = $state('');
  private seq = 0;

  constructor(
    /** what to say when the call fails without a message from the server */
    private readonly fallback: string,
    initiallyLoading = false
  ) {
    this.loading = initiallyLoading;
  }

  /**
   * Runs `load`; `apply` gets its answer only if no later run has started meanwhile (and `failed` is
   * told when the latest run fails, e.g. to show an empty list). `load` receives `isCurrent` for side
   * requests of its own (e.g. alerts shown beside the list).
   */
  async run<T>(load: (isCurrent: () => boolean) => Promise<T>, apply: (value: T) => void, failed?: () => void): Promise<void> {
    const mine = ++this.seq;
    const isCurrent = () => mine === this.seq;
    this.loading = true;
    this.error = '';
    try {
      const value = await load(isCurrent);
      if (isCurrent()) apply(value);
    } catch (err) {
      if (isCurrent()) {
        this.error = errorText(err, this.fallback);
        failed?.();
      }
    } finally {
      if (isCurrent()) this.loading = false;
    }
  }
}
