// Public input and option types of the engine.
import type { Dialect } from './regex/pattern.js';

/** A file's content, given by the caller: the engine does no I/O. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export interface EngineOptions {
  dialect: Dialect;
  /** `<alerts><log_alert_level>`: lowest level that produces an alert (default 1). */
  logAlertLevel?: number;
  /** `analysisd.default_timeframe` (default 360 s). */
  defaultTimeframe?: number;
  /** Global history of alerted events (`<memory_size>`, default 8192, minimum 2048). */
  memorySize?: number;
  /** OSSEC 4.x per-target look-back (`analysisd.sid_prev_matched_max`, default 128). */
  sidPrevMatchedMax?: number;
  /** Host name used for events without one (OSSEC: the local host name cut at the first dot). */
  localHostname?: string;
  /**
   * Expand `message repeated N times: [ msg ]` into N events of `msg` (a Portcullis option, off by
   * default so a stock OSSEC/Wazuh home behaves as the real tools do).
   */
  expandRepeated?: boolean;
  /**
   * When an `ignore` window has passed, the daemon (analysisd) re-arms it at once; ossec-logtest
   * and wazuh-logtest clear it, so the next match alerts too. Default: 'daemon'.
   */
  ignoreRearm?: 'daemon' | 'logtest';
  /** Maximum event length in characters: longer lines are cut as OSSEC does (default 6135). */
  maxEventLength?: number;
}

export type { Dialect };
