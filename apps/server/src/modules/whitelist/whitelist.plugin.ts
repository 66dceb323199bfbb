// The white list kept in the database, as `app.whitelist`: registered before active response,
// which merges it with the config's <white_list> and rebuilds its policy on every change.
import fp from 'fastify-plugin';
import { WhitelistService } from './whitelist.service.js';

declare module 'fastify' {
  interface FastifyInstance {
    whitelist: WhitelistService;
  }
}

export default fp(
  async (app) => {
    app.decorate('whitelist', new WhitelistService(app.db, app.audit));
  },
  { name: 'whitelist', dependencies: ['db', 'auth'] },
);
