import { z } from 'zod';
import { humanText } from './text.ts';
import { couchFields, idRef, isoTimestamp, locationCode } from './common.ts';
import { deviceId } from './location.ts';

/**
 * A clock punch (issue 5, Staff: time entries). Lives in the location database `t-{tenant}-loc-{code}`,
 * written by registers (offline too: the staff member identifies with their PIN), immutable like every
 * event: a wrong punch is corrected by another punch, and the timesheet (domain/timesheet.ts) flags
 * what it cannot pair. `time_entry:{register}:{ulid}` so a punch syncs once however often it is pushed.
 */
export const timeEntrySchema = z
  .object({
    ...couchFields,
    _id: deviceId('time_entry'),
    type: z.literal('time_entry'),
    locationCode,
    registerId: idRef,
    /** `user:{id}`, as the register knows staff (reference-data.ts) */
    staffId: idRef,
    staffName: humanText(120, { min: 1 }),
    kind: z.enum(['in', 'out']),
    at: isoTimestamp
  })
  .strict();
