// How times, numbers and durations read everywhere in the dashboard.

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
});
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const shortTime = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hour12: false });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const numberFmt = new Intl.NumberFormat();

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** Time of day for today's events, date and time otherwise. */
export function formatWhen(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return sameDay ? timeOnly.format(d) : dateTime.format(d);
}

/** `formatWhen` for long lists redrawn often: remembers the last few thousand answers. */
const whenCache = new Map<string, string>();
let whenDay = '';
export function formatWhenCached(iso: string): string {
  const day = new Date().toDateString();
  if (day !== whenDay) {
    whenCache.clear();
    whenDay = day;
  }
  let s = whenCache.get(iso);
  if (s === undefined) {
    s = formatWhen(iso);
    if (whenCache.size > 5000) whenCache.clear();
    whenCache.set(iso, s);
  }
  return s;
}

export function formatAxisTime(ms: number, spanMs: number): string {
  const d = new Date(ms);
  return spanMs > 2 * 86_400_000 ? shortDate.format(d) : shortTime.format(d);
}

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFmt.format(n);
}

/** `1 h 04 min`, `9 min 05 s`, `42 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${h} h`;
  if (m > 0) return sec > 0 ? `${m} min ${String(sec).padStart(2, '0')} s` : `${m} min`;
  return `${sec} s`;
}

/** `mm:ss` or `h:mm:ss` for countdowns. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return h > 0 ? `${h}:${mm}:${String(sec).padStart(2, '0')}` : `${mm}:${String(sec).padStart(2, '0')}`;
}

export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const diff = Math.round((now - t) / 1000);
  if (Math.abs(diff) < 5) return 'just now';
  return diff > 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

/** Severity band of an OSSEC level (0–16), for colour and legends. */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export function severityOf(level: number): Severity {
  if (level >= 12) return 'critical';
  if (level >= 10) return 'high';
  if (level >= 7) return 'medium';
  if (level >= 4) return 'low';
  return 'info';
}
export const SEVERITIES: Array<{ key: Severity; label: string; range: string }> = [
  { key: 'critical', label: 'Critical', range: '12–16' },
  { key: 'high', label: 'High', range: '10–11' },
  { key: 'medium', label: 'Medium', range: '7–9' },
  { key: 'low', label: 'Low', range: '4–6' },
  { key: 'info', label: 'Info', range: '0–3' },
];
