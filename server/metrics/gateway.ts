import type { Response } from 'express';

/**
 * What the gateway decided about one `/db` request, for `pos_gateway_requests_total`:
 * - allowed: passed every check and went to CouchDB (whatever CouchDB then answered);
 * - denied: refused by the default-deny classifier, the sync rules, a scope or a document check;
 * - invalid: a malformed path, query or body;
 * - unauthenticated: no valid token, device credential or API key;
 * - error: the gateway could not get an answer (store unreachable or failing before a decision);
 * - aborted: the client went away before the gateway decided (e.g. while sending its body).
 */
export type GatewayDecision = 'allowed' | 'denied' | 'invalid' | 'unauthenticated' | 'error' | 'aborted';

/** The class label: the classifier's endpoint, `unknown` before classification, `unclassified` when it refused. */
export interface GatewayMark {
  cls: string;
  decision?: GatewayDecision;
  /** a `_changes` longpoll/continuous feed: timed apart from ordinary requests */
  feed?: boolean;
}

const marks = new WeakMap<Response, GatewayMark>();

export function gatewayMark(res: Response): GatewayMark {
  let m = marks.get(res);
  if (!m) {
    m = { cls: 'unknown' };
    marks.set(res, m);
  }
  return m;
}

/** The mark of a `/db` response, if the gateway saw it. */
export function gatewayMarkOf(res: Response): GatewayMark | undefined {
  return marks.get(res);
}

/** A refusal's decision from its status, for the many places that answer `couchError(res, status, …)`. */
export function decisionForStatus(status: number): GatewayDecision {
  if (status === 401) return 'unauthenticated';
  if (status >= 500) return 'error';
  if (status === 400 || status === 413 || status === 415) return 'invalid';
  return 'denied';
}

/** The decision of a request that ends without one recorded: from its status, if it got an answer at all. */
export function finalDecision(mark: GatewayMark, res: { headersSent: boolean; statusCode: number }): GatewayDecision {
  return mark.decision ?? (res.headersSent ? decisionForStatus(res.statusCode) : 'aborted');
}

/** Records a decision unless one was made earlier (an upstream error after `allowed` stays `allowed`). */
export function decide(res: Response, decision: GatewayDecision): void {
  gatewayMark(res).decision ??= decision;
}
