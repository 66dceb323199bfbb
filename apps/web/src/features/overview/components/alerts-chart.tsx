// Alerts over time, stacked by severity: a plain SVG, sized to its container.
import type { Stats } from '@portcullis/shared';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import { formatAxisTime, formatDateTime, formatNumber, SEVERITIES, severityOf, type Severity } from '@/lib/format';

const COLORS: Record<Severity, string> = {
  critical: 'var(--sev-critical)',
  high: 'var(--sev-high)',
  medium: 'var(--sev-medium)',
  low: 'var(--sev-low)',
  info: '#cbd5e1',
};
const ORDER: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** A round axis: a step of 1, 2 or 5 × 10^k giving at most five intervals. */
function niceAxis(n: number): { max: number; step: number } {
  const target = Math.max(n, 4) / 4;
  const p = 10 ** Math.floor(Math.log10(target));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= target) ?? 10 * p;
  return { max: Math.ceil(Math.max(n, 1) / step) * step, step };
}

export function AlertsChart({ stats }: { stats: Stats }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(300, e!.contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const { buckets, max, step } = useMemo(() => {
    const from = new Date(stats.from).getTime();
    const to = new Date(stats.to).getTime();
    const step = stats.bucket_seconds * 1000;
    const n = Math.max(1, Math.ceil((to - from) / step));
    const start = Math.floor(from / step) * step;
    const list = Array.from({ length: n }, (_, i) => ({ t: start + i * step, by: { info: 0, low: 0, medium: 0, high: 0, critical: 0 } as Record<Severity, number>, total: 0 }));
    for (const b of stats.buckets) {
      const i = Math.floor((new Date(b.time).getTime() - start) / step);
      const slot = list[i];
      if (!slot) continue;
      slot.by[severityOf(b.level)] += b.count;
      slot.total += b.count;
    }
    return { buckets: list, ...niceAxis(Math.max(0, ...list.map((b) => b.total))) };
  }, [stats]);

  const H = 220;
  const pad = { l: 44, r: 8, t: 10, b: 24 };
  const iw = width - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const bw = iw / buckets.length;
  const span = buckets.length * stats.bucket_seconds * 1000;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.floor(iw / 70)));

  return (
    <div ref={box}>
      <svg className="chart" width={width} height={H} role="img" aria-label={`Alerts over time by severity, ${formatNumber(stats.counts.alerts)} in the range`}>
        <g className="axis">
          {ticks.map((t) => {
            const y = pad.t + ih - (t / max) * ih;
            return (
              <g key={t}>
                <line className="grid-line" x1={pad.l} x2={width - pad.r} y1={y} y2={y} />
                <text x={pad.l - 8} y={y + 4} textAnchor="end">
                  {formatNumber(t)}
                </text>
              </g>
            );
          })}
          {buckets.map((b, i) =>
            i % labelEvery === 0 ? (
              <text key={b.t} x={pad.l + i * bw + bw / 2} y={H - 6} textAnchor="middle">
                {formatAxisTime(b.t, span)}
              </text>
            ) : null,
          )}
        </g>
        {buckets.map((b, i) => {
          let y = pad.t + ih;
          const x = pad.l + i * bw + Math.min(2, bw * 0.15);
          const w = Math.max(1, bw - Math.min(4, bw * 0.3));
          return (
            <g key={b.t}>
              <title>{`${formatDateTime(new Date(b.t).toISOString())}: ${formatNumber(b.total)} alerts`}</title>
              <rect x={pad.l + i * bw} y={pad.t} width={bw} height={ih} fill="transparent" />
              {ORDER.map((s) => {
                const v = b.by[s];
                if (!v) return null;
                const h = (v / max) * ih;
                y -= h;
                return <rect key={s} x={x} y={y} width={w} height={Math.max(h, 1)} fill={COLORS[s]} rx={1.5} />;
              })}
            </g>
          );
        })}
      </svg>
      <div className="legend" aria-hidden="true">
        {SEVERITIES.map((s) => (
          <span key={s.key}>
            <i style={{ background: COLORS[s.key] }} />
            {s.label} <span className="muted">{s.range}</span>
          </span>
        ))}
      </div>
    </div>
  );
}
