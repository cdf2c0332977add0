// Where models live in a store (R2 or a folder): models/<name>/<version>/<file>, and models/<name>/current.json
// pointing at the served version. The publisher, the Worker, the Node server and the tests all build keys here.
import { z } from "zod";

export const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const MODEL_VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Names /ner gives a meaning of its own ("ensemble" runs custom and transformer together): never published. */
export const RESERVED_MODEL_NAMES: readonly string[] = ["ensemble"];

export const modelKey = (name: string, version: string, file: string) => `models/${name}/${version}/${file}`;
export const pointerKey = (name: string) => `models/${name}/current.json`;
export const modelsPrefix = (name?: string) => (name ? `models/${name}/` : "models/");

export const PointerSchema = z.object({
  version: z.string().regex(MODEL_VERSION),
  manifest_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Pointer = z.infer<typeof PointerSchema>;
