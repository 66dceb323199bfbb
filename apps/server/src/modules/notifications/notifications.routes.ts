// GET /api/notifications (viewer: settings, hook URLs masked), PUT /api/notifications (admin:
// saved into the config, 422 with the fields when invalid), POST /api/notifications/test (admin:
// one test to a saved destination, answered once tried), GET /api/notifications/history (viewer).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import {
  ErrorResponses, NotificationSave, NotificationSettings, NotifyHistoryItem, NotifyHistoryPage, NotifyHistoryQuery, NotifyTestRequest, NotifyValidation,
} from '@portcullis/shared';
import { actorOf } from '../../plugins/auth.js';
import { NotifyInvalidError, type NotificationsService } from './notifications.service.js';

/**
 * The save's body checked without type coercion. The app's validator coerces types (query strings
 * need it), and inside a `T | null` it turned a level left empty (null) into 0 before trying the
 * null branch: `<level>0</level>`, an e-mail rule for every alert. A JSON body needs no coercion.
 * Unknown fields (a `password` in `smtp`) are dropped, as everywhere.
 */
function strictBody(schema: TSchema) {
  const check = TypeCompiler.Compile(schema);
  return (data: unknown) => {
    const value = Value.Clean(schema, Value.Clone(data));
    const first = check.Errors(value).First();
    if (!first) return { value };
    return { error: new Error(`body${first.path.replace(/\//g, '.')} ${first.message}`) };
  };
}

export default function notificationsRoutes(service: NotificationsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/notifications', {
      config: { access: 'viewer' },
      schema: { response: { 200: NotificationSettings, ...ErrorResponses } },
    }, async (request) => service.settings(request.principal?.role === 'admin'));

    app.put('/api/notifications', {
      config: { access: 'admin' },
      validatorCompiler: ({ schema }) => strictBody(schema as unknown as TSchema),
      schema: { body: NotificationSave, response: { 200: NotificationSettings, 422: NotifyValidation, ...ErrorResponses } },
    }, async (request, reply) => {
      try {
        return reply.send(service.save(request.body, actorOf(request)));
      } catch (err) {
        if (err instanceof NotifyInvalidError) return reply.code(422).send(err.validation);
        throw err;
      }
    });

    app.post('/api/notifications/test', {
      config: { access: 'admin' },
      schema: { body: NotifyTestRequest, response: { 200: NotifyHistoryItem, ...ErrorResponses } },
    }, async (request) => service.test(request.body.destination, actorOf(request)));

    app.get('/api/notifications/history', {
      config: { access: 'viewer' },
      schema: { querystring: NotifyHistoryQuery, response: { 200: NotifyHistoryPage, ...ErrorResponses } },
    }, async (request) => service.history(request.query));
  };
}
