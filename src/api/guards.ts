/**
 * Route guards. Until accounts exist, admin routes are off unless TM_ADMIN_API=1 (a single-user
 * install on localhost); the accounts module replaces this with bearer tokens and is_admin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from './app.ts';

export async function requireAdmin(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!req.server.config.adminApi) {
    await reply.status(403).type('application/problem+json').send(problem(403, 'admin routes are disabled; set TM_ADMIN_API=1 to enable them'));
  }
}
