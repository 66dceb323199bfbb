// What an engine result becomes in the alerts table.
import { LogClock, logTime, type ProcessResult } from '@portcullis/engine';
import type { AlertRecord } from '../modules/alerts/alerts.repository.js';

const DAY_MS = 86_400_000;

const offset = (utcMs: number): number => -new Date(utcMs).getTimezoneOffset();
/** The local year of reception, cached per minute (zone offsets are whole quarter hours). */
let yearMinute = -1;
let yearOfMinute = 0;

/** Reads timestamps in the reception year, remembering the hour (a batch's alerts share it). */
let clock = new LogClock(0, offset);
let clockYear = 0;

/** Timestamps that carry no year: syslog's `Mmm dd hh:mm:ss` and snort's `mm/dd-hh:mm:ss`. */
const YEARLESS = /^(?:[A-Z][a-z]{2} [ 0-9]\d |\d\d\/\d\d-)/;

/**
 * Time written in the line, in any form the pre-decoder recognises (syslog, ISO 8601, Apache,
 * xferlog, snort, suricata, OS X ASL, squid). A form without a year gets the year of reception, or
 * the one before when that would put the line more than a day in the future, as at New Year.
 */
export function eventTimeOf(timestamp: string | null, receivedAt: number): number | null {
  if (!timestamp) return null;
  const minute = Math.floor(receivedAt / 60_000);
  if (minute !== yearMinute) {
    yearMinute = minute;
    yearOfMinute = new Date(receivedAt).getFullYear();
  }
  const year = yearOfMinute;
  if (year !== clockYear) {
    clock = new LogClock(year, offset);
    clockYear = year;
  }
  let s = clock.time(timestamp);
  if (s === null) return null;
  if (s * 1000 > receivedAt + DAY_MS && YEARLESS.test(timestamp)) s = logTime(timestamp, year - 1, offset) ?? s;
  return s * 1000;
}

export function toAlertRecord(r: ProcessResult, receivedAt: number, host: string | null = null): AlertRecord {
  const rule = (r.alertRule ?? r.rule)!;
  const ev = r.event;
  return {
    time: receivedAt,
    eventTime: eventTimeOf(ev.timestamp, receivedAt),
    ruleId: rule.id,
    level: rule.level,
    description: r.description ?? rule.description,
    groups: rule.groupList,
    decoder: ev.decoder ? ev.decoder.parent ?? ev.decoder.name : null,
    srcip: ev.srcip ?? null,
    user: ev.dstuser ?? ev.srcuser ?? ev.getDynamic('user') ?? null,
    // A host's line keeps the HOSTNAME it claims (the engine may have named the event after the
    // host, as Wazuh does for agents); who really sent it is `host`.
    hostname: host !== null ? (ev.headerHostname ?? ev.hostname) : ev.hostname,
    programName: ev.programName,
    location: ev.location,
    fullLog: ev.fullLog,
    fields: ev.fieldsObject(),
    host,
  };
}
