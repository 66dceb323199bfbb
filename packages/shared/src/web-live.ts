// Live events the dashboard needs beyond alerts (written from the web side, issue 5). The server
// emits `block` to every signed-in client when a block is created or changes state, and `hosts`
// when registered hosts change (coalesced, at most one a second).
import type { LiveBlockChange } from './blocks.js';
import type { LiveHostsChange } from './hosts.js';
import type { ServerToClientEvents } from './live.js';

export interface WebServerToClientEvents extends ServerToClientEvents {
  block: (change: LiveBlockChange) => void;
  hosts: (change: LiveHostsChange) => void;
}
