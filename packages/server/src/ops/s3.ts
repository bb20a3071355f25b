import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type * as S3Sdk from '@aws-sdk/client-s3';

type S3Client = S3Sdk.S3Client;
import type { S3Config } from './config.js';
import { parseBackupName, type BackupName } from './names.js';
import { backupsToDelete, type RetentionPolicy } from './retention.js';

/** A copy of each backup in S3-compatible storage (AWS, MinIO, Backblaze B2, Wasabi …). */
export class S3Copy {
  private loaded: Promise<{ client: S3Client; sdk: typeof S3Sdk }> | null = null;

  constructor(private readonly config: S3Config) {}

  /** The AWS SDK is loaded on first use: it costs ~175 ms of start-up to every hub otherwise. */
  private s3(): Promise<{ client: S3Client; sdk: typeof S3Sdk }> {
    this.loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: this.makeClient(sdk),
    }));
    return this.loaded;
  }

  private makeClient(sdk: typeof S3Sdk): S3Client {
    const config = this.config;
    return new sdk.S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.force_path_style,
      ...(config.access_key_id && config.secret_access_key
        ? {
            credentials: {
              accessKeyId: config.access_key_id,
              secretAccessKey: config.secret_access_key,
            },
          }
        : {}),
    });
  }

  private key(name: string): string {
    return `${this.config.prefix}${name}`;
  }

  /** Uploads the archive and its `.sha256`; the archive first, so a checksum never dangles. */
  async upload(file: string): Promise<void> {
    for (const f of [file, `${file}.sha256`]) {
      const { size } = await stat(f);
      await (
        await this.s3()
      ).client.send(
        new (await this.s3()).sdk.PutObjectCommand({
          Bucket: this.config.bucket,
          Key: this.key(path.basename(f)),
          Body: createReadStream(f),
          ContentLength: size,
          ContentType: f.endsWith('.sha256') ? 'text/plain' : 'application/gzip',
        }),
      );
    }
  }

  /** Backups stored under the prefix. */
  async list(): Promise<BackupName[]> {
    const out: BackupName[] = [];
    let token: string | undefined;
    do {
      const page = await (
        await this.s3()
      ).client.send(
        new (await this.s3()).sdk.ListObjectsV2Command({
          Bucket: this.config.bucket,
          Prefix: this.config.prefix,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(this.config.prefix.length);
        const parsed = name ? parseBackupName(name) : null;
        if (parsed) out.push(parsed);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Applies the retention policy to the bucket; returns the names deleted. */
  async applyRetention(policy: RetentionPolicy, now: number): Promise<string[]> {
    const doomed = backupsToDelete(await this.list(), policy, now).map((b) => b.name);
    for (let i = 0; i < doomed.length; i += 500) {
      const names = doomed.slice(i, i + 500);
      await (
        await this.s3()
      ).client.send(
        new (await this.s3()).sdk.DeleteObjectsCommand({
          Bucket: this.config.bucket,
          Delete: {
            Objects: names.flatMap((n) => [{ Key: this.key(n) }, { Key: this.key(`${n}.sha256`) }]),
          },
        }),
      );
    }
    return doomed;
  }

  close(): void {
    void this.loaded?.then(({ client }) => client.destroy());
  }
}
