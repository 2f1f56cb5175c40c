/**
 * `npm run ddocs:stamp`: records the current design documents' versions in generation.json, with the
 * next generation when any changed. Run it (and commit the file) with every change under
 * couch-design-docs/; a unit test fails until you do. The generation orders releases: a server never
 * writes its design documents over those of a higher generation (docs/OPERATIONS.md).
 */
import fs from 'node:fs';
import { GENERATION_FILE, readGenerationLock, stampGeneration } from './index.ts';

const before = readGenerationLock();
const after = stampGeneration(before);
if (after === before) {
  console.log(`design documents unchanged: generation ${before.generation}`);
} else {
  fs.writeFileSync(GENERATION_FILE, JSON.stringify(after, null, 2) + '\n');
  console.log(`design documents changed: generation ${before.generation} -> ${after.generation} (${GENERATION_FILE})`);
}
