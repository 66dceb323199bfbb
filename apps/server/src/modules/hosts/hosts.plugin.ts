// Registered hosts (many-hosts): the repository on the app, for the CLI, the bouncer API and the
// authenticated log receivers.
import fp from 'fastify-plugin';
import { HostsRepository } from './hosts.repository.js';

declare module 'fastify' {
  interface FastifyInstance {
    hosts: HostsRepository;
  }
}

export default fp(
  async (app) => {
    app.decorate('hosts', new HostsRepository(app.db));
  },
  { name: 'hosts', dependencies: ['db'] },
);
