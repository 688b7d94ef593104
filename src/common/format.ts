/** Numbers as people read them in the status bar, tree and tooltips. */

/** `850 µs`, `652 ms`, `1.25 s`, `2 min 5 s`. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us) || us < 0) return '–';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1_000_000) return `${Math.round(us / 1000)} ms`;
  if (us < 60_000_000) return `${(us / 1_000_000).toFixed(us < 10_000_000 ? 2 : 1)} s`;
  const seconds = Math.round(us / 1_000_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** `1,234`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `512 B`, `1.5 KiB`, `256 MiB`: one decimal below ten. */
export function formatBytes(n: number): string {
  const [value, unit] = n < 1024 ? [n, 'B'] : n < 1024 ** 2 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MiB'] : [n / 1024 ** 3, 'GiB'];
  return `${unit === 'B' || value >= 10 ? Math.round(value) : value.toFixed(1)} ${unit}`;
}

/** `1 span`, `2 spans`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * `a → b → c`; a route a sender made thousands of hops long keeps its first 6 and last 5 and says how
 * many are between: `a → b → c → d → e → f → … 49,989 more … → v → w → x → y → z`.
 */
export function formatRoute(services: readonly string[]): string {
  if (services.length <= 12) return services.join(' → ');
  return `${services.slice(0, 6).join(' → ')} → … ${formatCount(services.length - 11)} more … → ${services.slice(-5).join(' → ')}`;
}

/** `14:03:21.885`: a time of day in the local time zone, 24-hour, to the millisecond (from µs since the epoch). */
export function formatTimeOfDay(us: number): string {
  if (!Number.isFinite(us)) return '–';
  const date = new Date(Math.floor(us / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}
