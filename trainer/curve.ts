// The training curve as a standalone SVG: loss (left axis) and dev F1 (right axis) per step. Hand-written because a
// plotting library would be the trainer's largest dependency for two polylines.
export interface CurvePoint {
  step: number;
  loss: number;
  f1: number;
}

const W = 720;
const H = 360;
const M = { left: 56, right: 56, top: 36, bottom: 44 };

export function trainingCurveSvg(points: CurvePoint[], title: string): string {
  const maxStep = Math.max(1, ...points.map((p) => p.step));
  const maxLoss = Math.max(1e-6, ...points.map((p) => p.loss));
  const x = (s: number) => M.left + (s / maxStep) * (W - M.left - M.right);
  const yLoss = (l: number) => H - M.bottom - (l / maxLoss) * (H - M.top - M.bottom);
  const yF1 = (f: number) => H - M.bottom - f * (H - M.top - M.bottom);
  const line = (f: (p: CurvePoint) => number) => points.map((p) => `${x(p.step).toFixed(1)},${f(p).toFixed(1)}`).join(" ");
  const best = points.reduce<CurvePoint | null>((b, p) => (!b || p.f1 > b.f1 ? p : b), null);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>
${ticks
  .map(
    (t) => `<line x1="${M.left}" x2="${W - M.right}" y1="${yF1(t)}" y2="${yF1(t)}" stroke="#eee"/>
<text x="${W - M.right + 6}" y="${yF1(t) + 4}" fill="#1f77b4">${t.toFixed(2)}</text>
<text x="${M.left - 6}" y="${yLoss(t * maxLoss) + 4}" text-anchor="end" fill="#d62728">${(t * maxLoss).toFixed(2)}</text>`,
  )
  .join("\n")}
<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>
<text x="${M.left}" y="${H - M.bottom + 16}">0</text>
<text x="${W - M.right}" y="${H - M.bottom + 16}" text-anchor="end">${maxStep}</text>
<text x="${W / 2}" y="${H - 10}" text-anchor="middle">step</text>
<text x="14" y="${H / 2}" transform="rotate(-90 14 ${H / 2})" text-anchor="middle" fill="#d62728">training loss</text>
<text x="${W - 12}" y="${H / 2}" transform="rotate(90 ${W - 12} ${H / 2})" text-anchor="middle" fill="#1f77b4">dev F1</text>
<polyline fill="none" stroke="#d62728" stroke-width="2" points="${line((p) => yLoss(p.loss))}"/>
<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line((p) => yF1(p.f1))}"/>
${best ? `<circle cx="${x(best.step)}" cy="${yF1(best.f1)}" r="4" fill="#1f77b4"/><text x="${x(best.step)}" y="${yF1(best.f1) - 8}" text-anchor="middle" fill="#1f77b4">best ${best.f1.toFixed(4)} @ ${best.step}</text>` : ""}
</svg>
`;
}
