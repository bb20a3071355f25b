import { createReadStream, existsSync } from 'node:fs';
import { errorResponse } from '@tradewatch/protocol';
import { z } from 'zod';
import type { Hub } from '../hub.js';
import { ApiError } from '../http/errors.js';
import { isoUtc } from '@tradewatch/protocol';
import { defaultBackupDir } from './backup.js';
import { getMeta, META } from './jobs.js';
import { backupPath, UnsafePathError } from './names.js';
import { listBackups } from './restore.js';
import type { OpsRuntime } from './runtime.js';

const backupItem = z.object({
  name: z.string(),
  created_at: z.string(),
  size: z.number().int(),
  has_checksum: z.boolean(),
});

const msOrNull = (v: string | null) => (v === null ? null : isoUtc(Number(v)));

export function registerBackupRoutes(hub: Hub, runtime: OpsRuntime): void {
  const admin = { scope: 'admin' as const };
  const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse };

  hub.zapp.get(
    '/api/v1/backups',
    {
      config: admin,
      schema: {
        tags: ['ops'],
        summary: 'Backups in the backup directory, newest first, and the schedule (scope: admin)',
        response: {
          200: z.object({
            dir: z.string(),
            schedule: z.string().nullable(),
            next_run_at: z.string().nullable(),
            last_success_at: z.string().nullable(),
            last_success_name: z.string().nullable(),
            last_failure_at: z.string().nullable(),
            last_error: z.string().nullable(),
            items: z.array(backupItem),
          }),
          ...errors,
        },
      },
    },
    async () => {
      const dir = defaultBackupDir(hub.config);
      const items = (await listBackups(dir)).map((b) => ({
        name: b.name,
        created_at: isoUtc(b.createdAt),
        size: b.size,
        has_checksum: b.hasChecksum,
      }));
      const next = runtime.nextRun();
      return {
        dir,
        schedule: hub.config.backup.schedule,
        next_run_at: next ? next.toISOString() : null,
        last_success_at: msOrNull(await getMeta(hub.store, META.lastSuccessAt)),
        last_success_name: await getMeta(hub.store, META.lastSuccessName),
        last_failure_at: msOrNull(await getMeta(hub.store, META.lastFailureAt)),
        last_error: await getMeta(hub.store, META.lastError),
        items,
      };
    },
  );

  const takeBackup = async () => {
    if (runtime.running) {
      throw new ApiError('conflict', 'a backup is already running; try again when it ends');
    }
    const result = await runtime.backupNow().catch((error: unknown) => {
      throw new ApiError('internal', `the backup failed: ${(error as Error).message}`);
    });
    if (!result) {
      throw new ApiError('conflict', 'another hub instance is taking a backup right now');
    }
    return {
      name: result.backup.name,
      size: result.backup.size,
      sha256: result.backup.sha256,
      deleted: result.deleted,
      s3: result.s3,
    };
  };

  hub.zapp.post(
    '/api/v1/backups',
    {
      config: admin,
      schema: {
        tags: ['ops'],
        summary: 'Take a backup now (scope: admin); answers when the archive is written',
        response: {
          200: z.object({
            name: z.string(),
            size: z.number().int(),
            sha256: z.string(),
            deleted: z.array(z.string()),
            s3: z
              .object({
                uploaded: z.boolean(),
                deleted: z.array(z.string()),
                error: z.string().nullable(),
              })
              .nullable(),
          }),
          409: errorResponse,
          ...errors,
        },
      },
    },
    async (request) => {
      // A large backup can take minutes with nothing on the wire: the connection's idle
      // timeout (security.limits.idle_timeout_s) must not cut it; it is restored afterwards.
      const socket = request.raw.socket as { setTimeout?: (ms: number) => void } | undefined;
      const idle = hub.app.server.timeout;
      socket?.setTimeout?.(0);
      try {
        return await takeBackup();
      } finally {
        socket?.setTimeout?.(idle);
      }
    },
  );

  hub.zapp.get(
    '/api/v1/backups/:name',
    {
      config: admin,
      schema: {
        tags: ['ops'],
        summary: 'Download a backup archive (scope: admin)',
        params: z.object({ name: z.string().min(1).max(255) }),
        response: { 404: errorResponse, ...errors },
      },
    },
    async (request, reply) => {
      let file: string;
      try {
        file = backupPath(defaultBackupDir(hub.config), request.params.name);
      } catch (error) {
        if (error instanceof UnsafePathError) {
          throw new ApiError('invalid', error.message, [
            { path: 'params.name', message: 'not a backup name' },
          ]);
        }
        throw error;
      }
      if (!existsSync(file))
        throw new ApiError('not_found', `backup ${request.params.name} not found`);
      reply.header('content-type', 'application/gzip');
      reply.header('content-disposition', `attachment; filename="${request.params.name}"`);
      return reply.send(createReadStream(file) as never);
    },
  );
}
