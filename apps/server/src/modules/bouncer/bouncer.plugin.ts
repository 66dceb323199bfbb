// The bouncer API in the server: the decisions stream over active response's blocks and the
// registered hosts, told of every block change (a changed address is looked at again on the
// host's next poll).
import fp from 'fastify-plugin';
import { bouncerRoutes } from './bouncer.routes.js';
import { DecisionStream } from './decision-stream.js';

declare module 'fastify' {
  interface FastifyInstance {
    decisionStream: DecisionStream;
  }
}

export default fp(
  async (app) => {
    const stream = new DecisionStream(app.db, app.hosts);
    app.decorate('decisionStream', stream);
    const off = app.activeResponse.onChange((row) => stream.blockChanged(row));
    app.addHook('onClose', async () => {
      off();
    });
    bouncerRoutes(app, { stream });
  },
  { name: 'bouncer', dependencies: ['db', 'hosts', 'auth', 'active-response'] },
);
