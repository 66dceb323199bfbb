// Live events the dashboard needs beyond alerts (written from the web side, issue 5). The server
// emits `block` to every signed-in client when a block is created or changes state.
import type { LiveBlockChange } from './blocks.js';
import type { ServerToClientEvents } from './live.js';

export interface WebServerToClientEvents extends ServerToClientEvents {
  block: (change: LiveBlockChange) => void;
}
