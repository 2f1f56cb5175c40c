import { newUlid } from '#domain/ids.ts';
import { recordAudit } from '../audit.ts';
import { ensureDb, statusOf, type Couch } from '../couch/client.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { catalogEditor } from './editor.ts';
import type { Caller } from '../auth/principal.ts';
import type { Actor } from './products.ts';

/**
 * Product images live in a per-tenant media database, `t-{tenant}-media`, that no sync rule names:
 * the gateway refuses it (parseDbName does not know the kind) and no device replicates it, so images
 * never bloat a register's catalog replica. A product document holds only `imageId`; the admin
 * portal fetches the bytes through GET /api/v1/catalog/images/:id.
 */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;

export const mediaDb = (tenantId: string) => `t-${tenantId}-media`;

/** What the bytes are, by their signature: a declared type the bytes do not match is refused. */
export function sniffImage(b: Buffer): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return null;
}

async function storeImageNow(couch: Couch, tenantId: string, body: Buffer, declared: string, actor: Actor): Promise<{ imageId: string; contentType: ImageType; bytes: number }> {
  if (!(IMAGE_TYPES as readonly string[]).includes(declared)) throw new AppError(415, 'unsupported_media_type', `Images must be JPEG, PNG or WebP (got ${declared || 'no type'})`);
  if (body.length === 0) throw badRequest('The image is empty');
  if (body.length > IMAGE_MAX_BYTES) throw new AppError(413, 'too_large', `Images may be at most ${IMAGE_MAX_BYTES / 1024 / 1024} MB`);
  const actual = sniffImage(body);
  if (actual !== declared) throw badRequest(`The file is not a ${declared.slice(6).toUpperCase()} image${actual ? ` (it looks like ${actual.slice(6).toUpperCase()})` : ''}`);
  const name = mediaDb(tenantId);
  await ensureDb(couch, name);
  const imageId = `image:${newUlid().toLowerCase()}`;
  await couch.use(name).insert({
    _id: imageId,
    type: 'image',
    contentType: actual,
    bytes: body.length,
    createdAt: actor.now,
    createdBy: actor.by,
    _attachments: { original: { content_type: actual, data: body.toString('base64') } }
  } as never);
  await recordAudit(couch, tenantId, { action: 'catalog.image.upload', actor: actor.by, target: imageId, details: { contentType: actual, bytes: body.length }, ...(actor.requestId ? { requestId: actor.requestId } : {}) });
  return { imageId, contentType: actual, bytes: body.length };
}

export async function readImage(couch: Couch, tenantId: string, imageId: string): Promise<{ contentType: string; data: Buffer }> {
  try {
    const db = couch.use(mediaDb(tenantId));
    const meta = (await db.get(imageId)) as unknown as { type?: string; contentType?: string };
    if (meta.type !== 'image') throw notFound(`No image ${imageId}`);
    const data = (await db.attachment.get(imageId, 'original')) as Buffer;
    return { contentType: meta.contentType ?? 'application/octet-stream', data };
  } catch (err) {
    if (statusOf(err) === 404) throw notFound(`No image ${imageId}`);
    throw err;
  }
}

/** Stores an uploaded image (catalog:edit, checked first): JPEG, PNG or WebP up to IMAGE_MAX_BYTES. */
export async function storeImage(couch: Couch, caller: Caller, body: Buffer, declared: string): Promise<{ imageId: string; contentType: ImageType; bytes: number }> {
  const { tenantId, actor } = catalogEditor(caller, 'Uploading an image');
  return storeImageNow(couch, tenantId, body, declared, actor);
}
