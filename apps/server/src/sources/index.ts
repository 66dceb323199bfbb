export * from './source.js';
export * from './file-position.js';
export * from './file-tailer.js';
export * from './file-sources.js';
export * from './syslog-time.js';
export * from './journald.js';
export * from './syslog-parse.js';
export * from './syslog-framer.js';
export { SyslogTcpSource, SyslogUdpSource, syslogLocation, type SyslogListenerOptions, type SyslogStatus, type SyslogTcpOptions } from './syslog-server.js';
