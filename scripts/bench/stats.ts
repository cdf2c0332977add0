// Latency statistics for the benchmarks.
export interface LatencyStats {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  runs: number;
}

export function latencyStats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { meanMs: s.reduce((a, b) => a + b, 0) / s.length, p50Ms: q(0.5), p99Ms: q(0.99), runs: s.length };
}

/** Runs `fn` `warmups` times untimed, then `iterations` times timed, one after another. */
export async function timeRuns(iterations: number, fn: () => Promise<unknown> | unknown, warmups: number): Promise<LatencyStats> {
  for (let i = 0; i < warmups; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return latencyStats(samples);
}
