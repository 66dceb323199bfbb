// Registered hosts on the live feed: the repository's changes and alerts from a host become the
// `hosts` event (coalesced by HostsFeed), so the Hosts page follows without waiting for its timer.
import type { ClientToServerEvents, WebServerToClientEvents } from '@portcullis/shared';
import fp from 'fastify-plugin';
import type { Server } from 'socket.io';
import { HostsFeed } from './hosts-feed.js';

export default fp(
  async (app) => {
    const io = app.io as unknown as Server<ClientToServerEvents, WebServerToClientEvents>;
    const feed = new HostsFeed((change) => io.emit('hosts', change), (id) => app.hosts.get(id)?.name);
    const off = app.hosts.onChange(feed.changed);
    app.pipeline.onPersisted((alerts) => {
      for (const a of alerts) if (a.record.host) feed.changed(a.record.host);
    });
    app.addHook('onClose', async () => {
      off();
      feed.stop();
    });
  },
  { name: 'hosts-live', dependencies: ['hosts', 'live', 'pipeline'] },
);
