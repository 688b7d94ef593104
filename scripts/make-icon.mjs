// Draws media/icon.png (128×128): three services as rounded boxes, hops as
// arrows between them, the middle hop glowing as a blocking chain. Pure Node
// (zlib for PNG), so the icon is reproducible without image tools.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const S = 128;
const px = new Float32Array(S * S * 4); // premultiplied RGBA, 0..1

function blend(x, y, [r, g, b], a) {
  if (x < 0 || y < 0 || x >= S || y >= S || a <= 0) return;
  const i = (y * S + x) * 4;
  const k = 1 - a;
  px[i] = r * a + px[i] * k;
  px[i + 1] = g * a + px[i + 1] * k;
  px[i + 2] = b * a + px[i + 2] * k;
  px[i + 3] = a + px[i + 3] * k;
}

/** Fills where `inside(x, y)` returns coverage 0..1, sampled 4×4 per pixel for smooth edges. */
function fill(color, inside, alpha = 1) {
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      let c = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) c += inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4) ? 1 : 0;
      blend(x, y, color, (c / 16) * alpha);
    }
  }
}

const roundRect = (x0, y0, w, h, r) => (x, y) => {
  const dx = Math.max(x0 + r - x, 0, x - (x0 + w - r));
  const dy = Math.max(y0 + r - y, 0, y - (y0 + h - r));
  return x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h && dx * dx + dy * dy <= r * r;
};
const segment = (x1, y1, x2, y2, width) => (x, y) => {
  const vx = x2 - x1, vy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / (vx * vx + vy * vy)));
  const dx = x - (x1 + t * vx), dy = y - (y1 + t * vy);
  return dx * dx + dy * dy <= (width / 2) ** 2;
};
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px1, py1, px2, py2) => (x - px2) * (py1 - py2) - (px1 - px2) * (y - py2);
  const d1 = s(ax, ay, bx, by), d2 = s(bx, by, cx, cy), d3 = s(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

const ink = [0.12, 0.15, 0.22];
const teal = [0.16, 0.72, 0.68];
const amber = [1.0, 0.66, 0.15];
const paper = [0.96, 0.97, 0.99];

fill(ink, roundRect(4, 4, 120, 120, 26)); // tile
// services: top-left, right, bottom-left
const boxes = [[16, 18], [74, 50], [16, 84]];
// hops: box 0 → 1 (blocking, amber, glowing), 1 → 2 (teal)
fill(amber, segment(50, 33, 78, 58, 14), 0.25);
fill(amber, segment(50, 33, 76, 57, 6));
fill(amber, triangle(82, 62, 68, 60, 76, 49));
fill(teal, segment(76, 75, 52, 93, 6));
fill(teal, triangle(46, 98, 54, 86, 60, 96));
for (const [x, y] of boxes) {
  fill(paper, roundRect(x, y, 38, 28, 7));
  fill(ink, roundRect(x + 7, y + 9, 24, 4, 2), 0.55);
  fill(ink, roundRect(x + 7, y + 16, 15, 4, 2), 0.35);
}
fill(amber, roundRect(74, 50, 38, 28, 7), 0.18);

// Encode PNG (RGBA, 8-bit), un-premultiplying.
const raw = Buffer.alloc(S * (S * 4 + 1));
for (let y = 0; y < S; y++) {
  raw[y * (S * 4 + 1)] = 0;
  for (let x = 0; x < S; x++) {
    const i = (y * S + x) * 4, o = y * (S * 4 + 1) + 1 + x * 4, a = px[i + 3];
    for (let c = 0; c < 3; c++) raw[o + c] = Math.round(Math.min(1, a > 0 ? px[i + c] / a : 0) * 255);
    raw[o + 3] = Math.round(a * 255);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
  return Buffer.concat([len, body, sum]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(S, 0); header.writeUInt32BE(S, 4); header[8] = 8; header[9] = 6;
writeFileSync('media/icon.png', Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]));
console.log('wrote media/icon.png');
