// GET /api/blocks, GET /api/blocks/:id, POST /api/blocks, POST /api/blocks/:id/release,
// POST /api/blocks/reconcile, GET /api/ips/:ip. Responders and admins block and release.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Block, BlockCreate, BlockDetail, BlockPage, BlockQuery, BlockRelease, ErrorResponses, IdParams, IpParams, IpTimeline } from '@portcullis/shared';
import { Type } from '@sinclair/typebox';
import { actorOf } from '../../plugins/auth.js';
import type { ActiveResponse } from './active-response.js';
import { toBlock } from './blocks.mapper.js';

const ReconcileReport = Type.Object({ checked: Type.Integer(), drift: Type.Integer(), fixed: Type.Integer() });

export function blocksRoutes(ar: ActiveResponse): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/blocks', {
      config: { access: 'viewer' },
      schema: { querystring: BlockQuery, response: { 200: BlockPage, ...ErrorResponses } },
    }, async (request) => ar.queries.list(request.query));

    app.get('/api/blocks/:id', {
      config: { access: 'viewer' },
      schema: { params: IdParams, response: { 200: BlockDetail, ...ErrorResponses } },
    }, async (request) => ar.queries.detail(request.params.id));

    app.post('/api/blocks', {
      config: { access: 'responder' },
      schema: { body: BlockCreate, response: { 200: Block, 201: Block, ...ErrorResponses } },
    }, async (request, reply) => {
      const { ip, duration, reason, command, target, hosts } = request.body;
      const r = await ar.manual.block({ ip, duration, reason, command, target, hosts }, actorOf(request));
      return reply.code(r.created ? 201 : 200).send(toBlock(r.block));
    });

    app.post('/api/blocks/:id/release', {
      config: { access: 'responder' },
      schema: { params: IdParams, body: BlockRelease, response: { 200: Block, ...ErrorResponses } },
    }, async (request) => {
      const { reason, grace_seconds } = request.body;
      return toBlock(await ar.manual.release(request.params.id, { reason, graceSeconds: grace_seconds }, actorOf(request)));
    });

    app.post('/api/blocks/reconcile', {
      config: { access: 'admin' },
      schema: { response: { 200: ReconcileReport, ...ErrorResponses } },
    }, async (request) => {
      const report = await ar.reconcile();
      const actor = actorOf(request);
      app.audit.record({ actor: actor.name, sourceIp: actor.ip, action: 'block.reconcile', after: report });
      return report;
    });

    app.get('/api/ips/:ip', {
      config: { access: 'viewer' },
      schema: { params: IpParams, response: { 200: IpTimeline, ...ErrorResponses } },
    }, async (request) => ar.queries.timeline(request.params.ip));
  };
}
