// Turns a downloaded hub repository into what buildTransformerFolder takes, refusing files that are not what they
// claim (E512) and weights that do not fit the config (E513) before any graph is built.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MednerError } from "../../core/errors.ts";
import { configLabels, parseDistilBertConfig, type DistilBertConfig } from "./hf-config.ts";
import { HUB_FILES, type HubDownload } from "./hub.ts";
import { readSafetensors } from "./safetensors.ts";
import { bertTokenizerJson } from "./tokenizer-from-vocab.ts";
import { checkWeights, type Weights } from "./weights.ts";

export interface HubModel {
  config: DistilBertConfig;
  weights: Weights;
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** True when tokenizer.json was built here from vocab.txt. */
  tokenizerFromVocab: boolean;
}

const ARCHITECTURE = "DistilBertForTokenClassification";

function parseJsonObject(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MednerError("E512", `${file}: invalid JSON (${(err as Error).message})`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new MednerError("E512", `${file}: not a JSON object`);
  return json as Record<string, unknown>;
}

/** The highest token id tokenizer.json can produce: its vocabulary and its added tokens. */
function maxTokenId(tokenizerJson: Record<string, unknown>): number {
  const model = tokenizerJson.model as { type?: unknown; vocab?: unknown } | undefined;
  if (model?.type !== "WordPiece" || typeof model.vocab !== "object" || model.vocab === null) {
    throw new MednerError("E512", `tokenizer.json: model.type must be WordPiece with a vocab (found ${JSON.stringify(model?.type)})`);
  }
  const added = Array.isArray(tokenizerJson.added_tokens) ? (tokenizerJson.added_tokens as Array<{ id?: unknown }>) : [];
  const ids = [...Object.values(model.vocab), ...added.map((t) => t.id)].filter((id): id is number => typeof id === "number");
  return ids.reduce((a, b) => Math.max(a, b), -1);
}

export async function readHubDownload(download: HubDownload): Promise<HubModel> {
  const text = (file: string) => readFile(join(download.dir, file), "utf8");
  const config = parseDistilBertConfig(parseJsonObject(await text(HUB_FILES.config), HUB_FILES.config));
  // A sequence classifier has a `classifier` of the same shape: only the architecture tells them apart.
  if (config.architectures && !config.architectures.includes(ARCHITECTURE)) {
    throw new MednerError("E512", `config.json: architectures is ${JSON.stringify(config.architectures)}, not ${ARCHITECTURE}`);
  }
  configLabels(config);
  const tokenizerConfig = parseJsonObject(await text(HUB_FILES.tokenizerConfig), HUB_FILES.tokenizerConfig);
  const tokenizerFromVocab = !download.files[HUB_FILES.tokenizer];
  const tokenizerJson = tokenizerFromVocab
    ? bertTokenizerJson(await text(HUB_FILES.vocab), tokenizerConfig)
    : parseJsonObject(await text(HUB_FILES.tokenizer), HUB_FILES.tokenizer);
  const maxId = maxTokenId(tokenizerJson);
  if (maxId >= config.vocab_size) {
    throw new MednerError("E513", `tokenizer: token id ${maxId} has no row in the ${config.vocab_size}-row word embeddings (vocab_size)`);
  }

  const { weights } = readSafetensors(await readFile(join(download.dir, HUB_FILES.weights)), HUB_FILES.weights);
  checkWeights(config, weights);
  return { config, weights, tokenizerJson, tokenizerConfig, tokenizerFromVocab };
}
