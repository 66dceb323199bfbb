// Durations as Go's time.Duration.String() writes them and time.ParseDuration reads them, which is
// what a CrowdSec bouncer expects in `duration` ("3h59m59s", "-1s"). An unparseable value makes the
// firewall bouncer fall back to 4 h silently, so only whole seconds are written.

/** `ms` as a Go duration string of whole seconds (rounded up when positive, down when negative). */
export function goDuration(ms: number): string {
  const total = ms >= 0 ? Math.ceil(ms / 1000) : -Math.ceil(-ms / 1000);
  if (total === 0) return '0s';
  const sign = total < 0 ? '-' : '';
  let s = Math.abs(total);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

/** Reads a Go duration ("1h2m3.5s", "1500ms", "-2s") as ms; null when it is not one. */
export function parseGoDuration(text: string): number | null {
  const m = /^([+-])?((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!m) return text === '0' ? 0 : null;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const part of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) ms += Number(part[1]) * unit[part[2]!]!;
  return m[1] === '-' ? -ms : ms;
}
