/**
 * /api/admin/users: what `tm users` does, for administrators over HTTP. Passwords are generated when
 * not given and then returned once; they are never logged (request bodies are not logged).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { changeAccount, generatePassword, resetPassword } from '../../accounts/user-admin.ts';
import { createUser, listUsers, requireUserByName } from '../../accounts/users.ts';
import { requireAdmin } from '../guards.ts';
import { pageQuery } from '../pagination.ts';
import { emailField, pageOf, passwordField, SMALL_BODY, usernameField } from '../schemas.ts';
import { userOut } from './auth.ts';

const createBody = z.strictObject({
  username: usernameField,
  email: emailField,
  password: passwordField.optional().describe('generated and returned once when absent'),
  is_admin: z.boolean().default(false),
});
const patchBody = z
  .strictObject({ is_active: z.boolean().optional(), is_admin: z.boolean().optional() })
  .refine((b) => b.is_active !== undefined || b.is_admin !== undefined, 'give is_active and/or is_admin');
const resetBody = z
  .strictObject({ password: passwordField.optional().describe('generated and returned once when absent') })
  .nullish();
const params = z.strictObject({ username: z.string().min(1).max(64) });

export async function adminUserRoutes(base: FastifyInstance): Promise<void> {
  const app = base.withTypeProvider<ZodTypeProvider>();
  const tags = ['admin: users'];
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', requireAdmin);

  app.get(
    '/',
    {
      schema: { tags, security, summary: 'List accounts', querystring: pageQuery, response: { 200: pageOf(userOut) } },
    },
    async (req) => listUsers(app.db, req.query),
  );

  app.get(
    '/:username',
    { schema: { tags, security, summary: 'One account', params, response: { 200: userOut } } },
    async (req) => requireUserByName(app.db, req.params.username),
  );

  app.post(
    '/',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags,
        security,
        summary: 'Create an account (optionally an administrator)',
        body: createBody,
        response: { 201: userOut.extend({ generated_password: z.string().optional() }) },
      },
    },
    async (req, reply) => {
      const generated = req.body.password === undefined ? generatePassword() : undefined;
      const user = await createUser(app.db, { ...req.body, password: req.body.password ?? generated! });
      return reply.status(201).send(generated ? { ...user, generated_password: generated } : user);
    },
  );

  app.patch(
    '/:username',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags,
        security,
        summary: 'Activate or deactivate an account, grant or revoke administrator rights',
        description:
          'Deactivating revokes the refresh tokens at once. The last active administrator cannot be deactivated or demoted (409).',
        params,
        body: patchBody,
        response: { 200: userOut },
      },
    },
    async (req) => (await changeAccount(app.db, req.params.username, req.body)).user,
  );

  app.post(
    '/:username/reset-password',
    {
      bodyLimit: SMALL_BODY,
      schema: {
        tags,
        security,
        summary: "Set a new password and revoke the user's refresh tokens",
        params,
        body: resetBody,
        response: {
          200: z.object({
            username: z.string(),
            revoked_tokens: z.number().int(),
            generated_password: z.string().optional(),
          }),
        },
      },
    },
    async (req) => {
      const given = req.body?.password;
      const pw = given ?? generatePassword();
      const r = await resetPassword(app.db, req.params.username, pw);
      return {
        username: r.user.username,
        revoked_tokens: r.revoked_tokens,
        ...(given === undefined ? { generated_password: pw } : {}),
      };
    },
  );
}
