// Which shipped rule files gave an answer: the main file's name and version, and a sha256 of all the files' JSON.
// Shared by the context rules (core/context) and the medication grammar (core/medication), so answers, manifests and
// reports name both alike.
import { sha256HexSync } from "./sha256.ts";

export interface RulesId {
  name: string;
  version: string;
  sha256: string;
}

/**
 * The id of rule files imported as JSON modules. The hash is of the parsed JSON re-serialized, so it is the same however
 * a bundler embeds the files.
 */
export function rulesIdOf(main: { name: string; version: string }, ...others: unknown[]): RulesId {
  return { name: main.name, version: main.version, sha256: sha256HexSync(new TextEncoder().encode(JSON.stringify([main, ...others]))) };
}
