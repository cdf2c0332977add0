// Where `medner publish` writes: a folder laid out like the bucket, wrangler's local R2 state (what `npm start` and
// `wrangler dev` serve), or R2 itself through its S3-compatible API.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { MednerError } from "../../core/index.ts";
import { fsStore } from "../../functions/adapters/fs-store.ts";
import { r2Store } from "../../functions/adapters/r2-store.ts";
import type { ModelStore } from "../../functions/store.ts";

export interface PublishTarget extends ModelStore {
  name: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export const TARGETS = ["local", "r2", "dir"] as const;
export type TargetKind = (typeof TARGETS)[number];

export function dirTarget(root: string): PublishTarget {
  const store = fsStore(root);
  return {
    name: `dir:${root}`,
    ...store,
    async put(key, bytes) {
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
    },
    async close() {},
  };
}

/** wrangler's local R2 state for the MODELS binding, through wrangler's own platform proxy (the state wrangler dev serves). */
export async function localTarget(configPath = "wrangler.toml", persistPath?: string): Promise<PublishTarget> {
  // Local state needs no Request.cf data; without this, wrangler tries to download it (and fails offline).
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";
  const { getPlatformProxy } = await import("wrangler");
  const proxy = await getPlatformProxy<{ MODELS: R2Bucket }>({ configPath, persist: persistPath ? { path: persistPath } : true });
  const store = r2Store(proxy.env.MODELS);
  return {
    name: "local (wrangler state)",
    ...store,
    async put(key, bytes) {
      await proxy.env.MODELS.put(key, bytes);
    },
    close: () => proxy.dispose(),
  };
}

/**
 * R2 through its S3-compatible API. R2_ACCOUNT_ID (or R2_ENDPOINT), R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY and
 * R2_BUCKET (default medner-models) come from the environment.
 */
export function s3Target(env: NodeJS.ProcessEnv = process.env): PublishTarget {
  const endpoint = env.R2_ENDPOINT ?? (env.R2_ACCOUNT_ID ? `https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com` : undefined);
  const missing = [!endpoint && "R2_ACCOUNT_ID (or R2_ENDPOINT)", !env.R2_ACCESS_KEY_ID && "R2_ACCESS_KEY_ID", !env.R2_SECRET_ACCESS_KEY && "R2_SECRET_ACCESS_KEY"].filter(Boolean);
  if (missing.length) throw new MednerError("E501", `--target r2 needs ${missing.join(", ")} in the environment`);
  const bucket = env.R2_BUCKET ?? "medner-models";
  const client = new S3Client({
    region: "auto",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.R2_ACCESS_KEY_ID!, secretAccessKey: env.R2_SECRET_ACCESS_KEY! },
    maxAttempts: 2,
  });
  return {
    name: `r2:${bucket}`,
    async get(key) {
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return r.Body ? new Uint8Array(await r.Body.transformToByteArray()) : null;
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchKey") return null;
        throw err;
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
        keys.push(...(r.Contents ?? []).map((o) => o.Key!).filter(Boolean));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async put(key, bytes) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
    },
    async close() {
      client.destroy();
    },
  };
}

export async function openTarget(kind: TargetKind, dir?: string): Promise<PublishTarget> {
  if (kind === "dir") {
    if (!dir) throw new MednerError("E501", "--target dir needs --dir <folder>");
    return dirTarget(dir);
  }
  return kind === "local" ? localTarget() : s3Target();
}
