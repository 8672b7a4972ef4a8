/*
 * The seeded randomness of the bench fleet. Every generator takes the one `Rng` of a fleet and draws from it
 * in a fixed order: the same seed gives the same fleet byte for byte (scripts/report-snapshot.ts hashes it).
 */

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)],
    chance: (p: number) => next() < p,
    hex: (n: number) => {
      let s = '';
      while (s.length < n)
        s += Math.floor(next() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return s.slice(0, n);
    },
  };
}
export type Rng = ReturnType<typeof rng>;

export function uuid(r: Rng): string {
  const h = r.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(
    17,
    20,
  )}-${h.slice(20, 32)}`;
}

export function time(r: Rng, base = Date.UTC(2025, 0, 1)): string {
  return new Date(base + r.int(400 * 24 * 3600) * 1000)
    .toISOString()
    .replace(/\.\d+Z$/, 'Z');
}
