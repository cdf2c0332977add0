// A temporary folder store holding one exported model, published by the same function `medner publish` uses: what the
// Node-side app tests serve from.
import { publish } from "../../trainer/publish/publish.ts";
import { dirTarget } from "../../trainer/publish/targets.ts";
import { tempDir } from "./temp.ts";

/** A new folder laid out like the bucket, with `modelDir` published as `name`@`version` and made current. */
export async function folderStoreWith(modelDir: string, name = "custom", version = "1"): Promise<string> {
  const root = tempDir("store");
  await publish(dirTarget(root), modelDir, name, { version });
  return root;
}
