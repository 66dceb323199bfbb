// Classic syslog (RFC 3164) timestamps, the form OSSEC's pre-decoder expects: `Mar  4 10:15:01`,
// local time, day padded with a space.

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `Mmm dd hh:mm:ss` in local time, day space-padded. */
export function formatSyslogTime(date: Date): string {
  const day = date.getDate();
  return `${MONTHS[date.getMonth()]} ${day < 10 ? ` ${day}` : day} ${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}
