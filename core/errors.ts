// Coded errors shared by the trainer, the CLI and the edge: a stable code plus a message that says what is wrong.

export const ErrorCodes = {
  E101: "span does not align with token boundaries",
  E102: "overlapping spans",
  E103: "span outside the text",
  E110: "invalid tag",
  E130: "invalid label mapping",
  E201: "malformed corpus file",
  E202: "unknown corpus format",
  E203: "corpus path not found",
  E301: "invalid model config",
  E302: "model directory incomplete or corrupt",
  E303: "word vectors file unreadable",
  E304: "lexicon file unreadable or malformed",
  E401: "exported model unusable",
  E402: "exported file failed verification",
  E403: "quantization guard failed",
  E404: "output file not writable",
  E501: "invalid publish request",
  E502: "published version missing or corrupt",
  E503: "version already published",
  E504: "upload failed",
  E510: "invalid import request",
  E511: "hub download failed",
  E512: "hub file invalid",
  E513: "hub weights do not fit the config",
  E601: "invalid context rules",
  E602: "invalid medication rules",
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class MednerError extends Error {
  override readonly name = "MednerError";
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** "where: path.to.field: what is wrong" for the first problem zod found. */
export function describeIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }, where: string): string {
  const issue = error.issues[0]!;
  return `${where}: ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`;
}
