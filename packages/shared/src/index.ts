// Types and schemas shared by the server and the web app: every API route and socket.io event.
export * from './common.js';
export * from './alerts.js';
export * from './stats.js';
export * from './sources.js';
export * from './readiness.js';
export * from './accounts.js';
export * from './ingest.js';
export * from './live.js';
export * from './blocks.js';
export * from './hosts.js';
// Contracts written from the dashboard's side (issue 5), for the server to implement.
export * from './web-rules.js';
export * from './web-logtest.js';
export * from './web-responses.js';
export * from './web-live.js';
export * from './notifications.js';
