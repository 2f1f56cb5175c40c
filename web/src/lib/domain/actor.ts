/** Who did something and when, as a use case records it (`createdBy`/`updatedBy`, an audit entry's actor). */
export interface Actor {
  /** `user:{id}`, or `device:{id}` */
  by: string;
  /** ISO timestamp */
  now: string;
  /** the request it came in with, for the audit trail */
  requestId?: string;
}
