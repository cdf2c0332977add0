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
