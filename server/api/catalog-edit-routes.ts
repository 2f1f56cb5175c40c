import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { productListQuery } from '#domain/catalog-edit.ts';
import { authorize } from '../auth/principal.ts';
import {
  createCategory,
  createProduct,
  deleteCategory,
  setProductStatus,
  updateCategory,
  updateProduct
} from '../catalog/products.ts';
import { createPriceRule, deletePriceRule, updatePriceRule } from '../catalog/price-rules.ts';
import { IMAGE_MAX_BYTES, storeImage } from '../catalog/images.ts';
import { categoriesFor, imageFor, newBarcodes, priceRulesFor, productFor, productsFor, taxCategoriesFor } from '../catalog/queries.ts';
import type { Ctx } from '../context.ts';
import { callerOf, requireAuth } from '../http/authenticate.ts';
import { badRequest, parseBody, route } from '../http/errors.ts';

const barcodesBody = z
  .object({
    count: z.number().int().min(1).max(100).default(1),
    /** barcodes the editor holds but has not saved yet */
    exclude: z.array(z.string().max(14)).max(2000).default([])
  })
  .strict();

/** `product:abc` or `abc` in the URL; other prefixes are refused (this router edits products only). */
function docId(req: Request, prefix: 'product' | 'category' | 'price_rule' | 'image'): string {
  const raw = String(req.params.id ?? '');
  const id = raw.startsWith(`${prefix}:`) ? raw : `${prefix}:${raw}`;
  if (!/^[a-z_]+:[A-Za-z0-9_.-]{1,190}$/.test(id)) throw badRequest(`not a ${prefix} id: ${raw}`);
  return id;
}

/**
 * Products and categories for the admin portal's catalog section (docs/API.md "Catalog editing").
 * Every endpoint, reads included, needs catalog:edit: the catalog pages are an editing tool; devices
 * read the catalog through their replica.
 */
export function catalogEditRoutes(ctx: Ctx): Router {
  const r = Router();
  const auth = requireAuth(ctx);


  r.get(
    '/products',
    auth,
    route(async (req, res) => {
      const q = parseBody(productListQuery, req.query);
      const out = await productsFor(ctx.couch, req.principal!, q);
      res.json({ ...out, page: q.page, pageSize: q.pageSize });
    })
  );

  r.get(
    '/products/:id',
    auth,
    route(async (req, res) => {
      res.json({ product: await productFor(ctx.couch, req.principal!, docId(req, 'product')) });
    })
  );

  r.post(
    '/products',
    auth,
    route(async (req, res) => {
      res.status(201).json({ product: await createProduct(ctx.couch, callerOf(req), req.body) });
    })
  );

  r.put(
    '/products/:id',
    auth,
    route(async (req, res) => {
      res.json({ product: await updateProduct(ctx.couch, callerOf(req), docId(req, 'product'), req.body) });
    })
  );

  for (const [path, status] of [
    ['archive', 'archived'],
    ['unarchive', 'active']
  ] as const) {
    r.post(
      `/products/:id/${path}`,
      auth,
      route(async (req, res) => {
        res.json({ product: await setProductStatus(ctx.couch, callerOf(req), docId(req, 'product'), status, req.body) });
      })
    );
  }

  r.post(
    '/barcodes',
    auth,
    route(async (req, res) => {
      authorize(req.principal!, 'catalog:edit', 'Generating barcodes'); // before the body is looked at
      const body = parseBody(barcodesBody, req.body);
      res.json({ barcodes: await newBarcodes(ctx.couch, req.principal!, body.count, body.exclude) });
    })
  );

  r.get(
    '/tax-categories',
    auth,
    route(async (req, res) => {
      res.json({ taxCategories: await taxCategoriesFor(ctx.couch, req.principal!) });
    })
  );

  r.get(
    '/categories',
    auth,
    route(async (req, res) => {
      res.json({ categories: await categoriesFor(ctx.couch, req.principal!) });
    })
  );

  r.post(
    '/categories',
    auth,
    route(async (req, res) => {
      res.status(201).json({ category: await createCategory(ctx.couch, callerOf(req), req.body) });
    })
  );

  r.put(
    '/categories/:id',
    auth,
    route(async (req, res) => {
      res.json({ category: await updateCategory(ctx.couch, callerOf(req), docId(req, 'category'), req.body) });
    })
  );

  r.delete(
    '/categories/:id',
    auth,
    route(async (req, res) => {
      await deleteCategory(ctx.couch, callerOf(req), docId(req, 'category'), req.query);
      res.status(204).end();
    })
  );

  // any type reaches the handler (so a wrong one is a clear 415, not an empty body)
  const imageBody = express.raw({ type: () => true, limit: IMAGE_MAX_BYTES });
  r.post(
    '/images',
    auth,
    (req, _res, next) => {
      try {
        authorize(req.principal!, 'catalog:edit', 'Uploading an image');
        next();
      } catch (err) {
        next(err);
      }
    },
    imageBody,
    route(async (req, res) => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      res.status(201).json(await storeImage(ctx.couch, callerOf(req), body, type));
    })
  );

  r.get(
    '/images/:id',
    auth,
    route(async (req, res) => {
      const img = await imageFor(ctx.couch, req.principal!, docId(req, 'image'));
      res.setHeader('Content-Type', img.contentType);
      // ids are never reused, so the bytes behind one never change
      res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.send(img.data);
    })
  );

  r.get(
    '/price-rules',
    auth,
    route(async (req, res) => {
      res.json({ rules: await priceRulesFor(ctx.couch, req.principal!) });
    })
  );

  r.post(
    '/price-rules',
    auth,
    route(async (req, res) => {
      res.status(201).json({ rule: await createPriceRule(ctx.couch, callerOf(req), req.body) });
    })
  );

  r.put(
    '/price-rules/:id',
    auth,
    route(async (req, res) => {
      res.json({ rule: await updatePriceRule(ctx.couch, callerOf(req), docId(req, 'price_rule'), req.body) });
    })
  );

  r.delete(
    '/price-rules/:id',
    auth,
    route(async (req, res) => {
      await deletePriceRule(ctx.couch, callerOf(req), docId(req, 'price_rule'), req.query);
      res.status(204).end();
    })
  );

  return r;
}
