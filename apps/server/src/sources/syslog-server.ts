// Syslog receivers for remote hosts (rsyslog, syslog-ng, network gear): one UDP and one TCP source.
// Each message becomes the classic line OSSEC's pre-decoder reads (see syslog-parse.ts), with
// location `syslog:<sender ip>` so remote lines are told apart from local files at a glance.
// (OSSEC's remoted uses the bare sender IP as location; rules keyed on that need the prefix.)
// Only senders allowed by <allowed-ips>/<denied-ips> (default: this host) are read; see sender-filter.ts.

export { parseSyslog, normalizeSender, type ParsedSyslog } from './syslog-parse.js';
export { SyslogFramer } from './syslog-framer.js';
export { hostSyslogLocation, syslogLocation, type SyslogListenerOptions, type SyslogStatus } from './syslog-listener.js';
export { SyslogUdpSource } from './syslog-udp.js';
export { SyslogTcpSource, type SyslogTcpOptions, type SyslogTlsOptions, type TlsPeerVerdict } from './syslog-tcp.js';
