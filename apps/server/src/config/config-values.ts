// Small readers shared by the config modules: the config's own error, listen addresses, yes/no and
// whole numbers, and an element's error with its file, line and column.
import { RulesetError, type XmlElement } from '@portcullis/engine';

export interface ListenAddress {
  host: string;
  port: number;
}

export class ConfigError extends Error {}

/** `HOST:PORT`, `[v6]:PORT`, `:PORT` or `PORT`. */
export function parseListen(value: string, what = 'listen address'): ListenAddress {
  const v = value.trim();
  let host = '127.0.0.1';
  let port: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(v);
  if (v6) [host, port] = [v6[1]!, v6[2]!];
  else if (/^\d+$/.test(v)) port = v;
  else {
    const i = v.lastIndexOf(':');
    if (i < 0) throw new ConfigError(`${what} "${value}" must be HOST:PORT`);
    host = v.slice(0, i) || host;
    port = v.slice(i + 1);
  }
  const n = Number(port);
  if (!/^\d+$/.test(port) || n > 65535) throw new ConfigError(`${what} "${value}": port must be 0-65535`);
  return { host, port: n };
}

export function bool(value: string, what: string): boolean {
  if (/^(yes|true|1|on)$/i.test(value.trim())) return true;
  if (/^(no|false|0|off)$/i.test(value.trim())) return false;
  throw new ConfigError(`${what} must be yes or no, not "${value}"`);
}

export function int(value: string, what: string, min: number): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) throw new ConfigError(`${what} must be a whole number ≥ ${min}, not "${value}"`);
  return Number(value);
}

export function elementError(el: XmlElement, message: string): never {
  throw new RulesetError('CONFIG', message, el.file, el.line, el.column);
}
