#!/usr/bin/env node
// Renders the app icon (same drawing as web/static/icon.svg) to the PNGs the web manifest lists,
// with Node built-ins only (zlib for the PNG stream): no image toolchain on the build machines.
// Run after changing the icon: `node scripts/make-icons.mjs`; the PNGs are committed.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const OUT = fileURLToPath(new URL('../web/static/', import.meta.url));
const SUPERSAMPLE = 4; // 4x4 samples per pixel: smooth rounded corners without a rasteriser

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BRAND = hex('#0f3d3e');
const WHITE = hex('#ffffff');
const ACCENT = hex('#e07a1f');

/** The SVG's shapes in its 64x64 viewBox, painted in order: [x, y, w, h, radius, colour]. */
function shapes(fullBleed) {
  return [
    [0, 0, 64, 64, fullBleed ? 0 : 14, BRAND],
    [14, 16, 36, 26, 4, WHITE],
    [20, 22, 24, 4, 2, ACCENT],
    [20, 30, 14, 4, 2, BRAND],
    [22, 46, 20, 4, 2, WHITE]
  ];
}

function inRoundRect(px, py, [x, y, w, h, r]) {
  if (px < x || py < y || px > x + w || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

/** RGBA pixels; a maskable icon is full-bleed (the platform cuts its own shape; content sits in the safe zone). */
function render(size, fullBleed) {
  const list = shapes(fullBleed);
  const px = Buffer.alloc(size * size * 4);
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sj = 0; sj < SUPERSAMPLE; sj++) {
        for (let si = 0; si < SUPERSAMPLE; si++) {
          const x = ((i + (si + 0.5) / SUPERSAMPLE) / size) * 64;
          const y = ((j + (sj + 0.5) / SUPERSAMPLE) / size) * 64;
          let colour = null;
          for (const s of list) if (inRoundRect(x, y, s)) colour = s[5];
          if (colour) {
            r += colour[0]; g += colour[1]; b += colour[2]; a += 255;
          }
        }
      }
      const o = (j * size + i) * 4;
      // colour averaged over covered samples only (straight, not premultiplied, alpha)
      const covered = a / 255;
      px[o] = covered ? Math.round(r / covered) : 0;
      px[o + 1] = covered ? Math.round(g / covered) : 0;
      px[o + 2] = covered ? Math.round(b / covered) : 0;
      px[o + 3] = Math.round(a / n);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  // scanlines, each prefixed with filter type 0 (none)
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ]);
}

const targets = [
  { file: 'icon-192.png', size: 192, fullBleed: false },
  { file: 'icon-512.png', size: 512, fullBleed: false },
  { file: 'icon-maskable-512.png', size: 512, fullBleed: true },
  { file: 'apple-touch-icon.png', size: 180, fullBleed: true }
];
for (const t of targets) {
  const buf = png(t.size, render(t.size, t.fullBleed));
  writeFileSync(OUT + t.file, buf);
  console.log(`web/static/${t.file} ${t.size}x${t.size} ${buf.length} bytes`);
}
