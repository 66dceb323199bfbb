// GET /api/audit: the audit trail, newest first (admins only).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditEntry, AuditQuery, ErrorResponses, Page } from '@portcullis/shared';

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/audit', {
    config: { access: 'admin' },
    schema: { querystring: AuditQuery, response: { 200: Page(AuditEntry), ...ErrorResponses } },
  }, async (request) => app.audit.list(request.query));
};

export default auditRoutes;
