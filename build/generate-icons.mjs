#!/usr/bin/env node
// Generates the app icon (build/icon.png, 512×512: electron-builder derives .icns/.ico from it)
// and the tray icons (resources/tray/<state>.png, 16×16 plus @2x) without any binary download:
// shapes are rasterized with 4×4 supersampling and written as PNG with node:zlib.
// Each tray state differs in shape as well as colour (readable for colour-blind users):
//   stopped = grey ring, running = green disc, degraded = amber triangle, live = red disc with a white core.
// Run: node build/generate-icons.mjs   (outputs are committed; rerun after changing a shape)
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
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
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** layers: [{ inside(x, y) → bool in unit coordinates 0..1, color: [r,g,b] }], painted in order. */
function render(size, layers) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size;
          const y = (py + (sy + 0.5) / S) / size;
          let c = null;
          for (const l of layers) if (l.inside(x, y)) c = l.color;
          if (c) {
            r += c[0];
            g += c[1];
            b += c[2];
            a += 1;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
        out[i + 3] = Math.round((255 * a) / (S * S));
      }
    }
  }
  return encodePng(size, out);
}

const disc = (cx, cy, rad) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= rad ** 2;
const ring = (cx, cy, r1, r2) => (x, y) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d <= r2 ** 2 && d >= r1 ** 2;
};
const triangle = (x, y) => {
  // apex (0.5, 0.08), base y = 0.9 from x = 0.04 to 0.96
  if (y > 0.9 || y < 0.08) return false;
  const half = ((y - 0.08) / 0.82) * 0.46;
  return Math.abs(x - 0.5) <= half;
};
const rounded = (inset, radius) => (x, y) => {
  const lo = inset, hi = 1 - inset;
  if (x < lo || x > hi || y < lo || y > hi) return false;
  const cx = Math.min(Math.max(x, lo + radius), hi - radius);
  const cy = Math.min(Math.max(y, lo + radius), hi - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
};

const GREY = [134, 142, 150], GREEN = [47, 158, 68], AMBER = [240, 140, 0], RED = [224, 49, 49], WHITE = [255, 255, 255], DARK = [26, 27, 30];

const TRAY = {
  stopped: [{ inside: ring(0.5, 0.5, 0.26, 0.44), color: GREY }],
  running: [{ inside: disc(0.5, 0.5, 0.44), color: GREEN }],
  degraded: [
    { inside: triangle, color: AMBER },
    { inside: (x, y) => Math.abs(x - 0.5) < 0.06 && y > 0.36 && y < 0.66, color: DARK },
    { inside: disc(0.5, 0.77, 0.06), color: DARK },
  ],
  live: [
    { inside: disc(0.5, 0.5, 0.44), color: RED },
    { inside: disc(0.5, 0.5, 0.17), color: WHITE },
  ],
};

export function generate() {
  const written = [];
  const write = (rel, data) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
    written.push(rel);
  };
  for (const [name, layers] of Object.entries(TRAY)) {
    write(`resources/tray/${name}.png`, render(16, layers));
    write(`resources/tray/${name}@2x.png`, render(32, layers));
  }
  // App icon: dark rounded square, a rising green line (a P&L trace) and a live dot.
  const line = (x, y) => {
    const pts = [[0.2, 0.66], [0.38, 0.5], [0.52, 0.58], [0.74, 0.34]];
    for (let i = 0; i < pts.length - 1; i++) {
      const [x1, y1] = pts[i], [x2, y2] = pts[i + 1];
      const t = Math.max(0, Math.min(1, ((x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)) / ((x2 - x1) ** 2 + (y2 - y1) ** 2)));
      if ((x - (x1 + t * (x2 - x1))) ** 2 + (y - (y1 + t * (y2 - y1))) ** 2 <= 0.035 ** 2) return true;
    }
    return false;
  };
  write('build/icon.png', render(512, [
    { inside: rounded(0.06, 0.18), color: DARK },
    { inside: line, color: GREEN },
    { inside: disc(0.74, 0.34, 0.075), color: GREEN },
    { inside: disc(0.74, 0.34, 0.032), color: WHITE },
  ]));
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const f of generate()) process.stdout.write(`wrote ${f}\n`);
}
