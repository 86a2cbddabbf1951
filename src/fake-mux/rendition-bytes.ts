/**
 * The bytes of a fake MP4: a cheap, deterministic function of (playback id, name, offset), so a
 * test can check a download byte for byte without the fake ever holding a file in memory. A
 * 64 KiB block derived from the name is repeated, each repetition XORed with its index, and the
 * first bytes form an `ftyp` box so the file looks like an MP4 to a sniffer.
 */

const BLOCK_SIZE = 64 * 1024;
const CHUNK_SIZE = 256 * 1024;
const FTYP_MP4 = [0, 0, 0, 24, ...ascii("ftypisom"), 0, 0, 2, 0, ...ascii("isomiso2avc1mp41")].slice(0, 24);
const FTYP_M4A = [0, 0, 0, 24, ...ascii("ftypM4A "), 0, 0, 2, 0, ...ascii("M4A mp42isom")].slice(0, 24);

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

/** FNV-1a, to turn the file's identity into a PRNG seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function patternBlock(playbackId: string, name: string): Uint8Array {
  const block = new Uint8Array(BLOCK_SIZE);
  let x = hash32(`${playbackId}/${name}`) || 1;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    block[i] = x & 0xff;
  }
  return block;
}

function fillRange(block: Uint8Array, header: number[], target: Uint8Array, offset: number): void {
  for (let i = 0; i < target.length; ) {
    const position = offset + i;
    const inBlock = position % BLOCK_SIZE;
    const mask = Math.floor(position / BLOCK_SIZE) & 0xff;
    const run = Math.min(BLOCK_SIZE - inBlock, target.length - i);
    for (let j = 0; j < run; j++) target[i + j] = (block[inBlock + j] ?? 0) ^ mask;
    i += run;
  }
  for (let p = offset; p < Math.min(header.length, offset + target.length); p++)
    target[p - offset] = header[p] ?? 0;
}

function headerFor(name: string): number[] {
  return name.endsWith(".m4a") ? FTYP_M4A : FTYP_MP4;
}

/** Bytes [start, end) of the file; for tests that check what they downloaded. */
export function renditionBytes(playbackId: string, name: string, start: number, end: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  fillRange(patternBlock(playbackId, name), headerFor(name), out, start);
  return out;
}

/** Bytes [start, end) as a stream made chunk by chunk on demand. */
export function renditionStream(
  playbackId: string,
  name: string,
  start: number,
  end: number,
  onBytes: (count: number) => void,
): ReadableStream<Uint8Array> {
  const block = patternBlock(playbackId, name);
  const header = headerFor(name);
  let position = start;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (position >= end) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(CHUNK_SIZE, end - position));
      fillRange(block, header, chunk, position);
      position += chunk.length;
      onBytes(chunk.length);
      controller.enqueue(chunk);
    },
  });
}

export type ByteRange = { start: number; end: number };

/**
 * Parses a single `Range: bytes=…` header against a file of `size` bytes. Returns null for no
 * (or an unsupported multi-) range, meaning "serve it all", and "unsatisfiable" for a 416.
 */
export function parseRange(header: string | null, size: number): ByteRange | null | "unsatisfiable" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return null;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (start >= size) return "unsatisfiable";
  const end = last === "" ? size : Math.min(size, Number(last) + 1);
  if (end <= start) return "unsatisfiable";
  return { start, end };
}
