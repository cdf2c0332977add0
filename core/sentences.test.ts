import { describe, expect, it } from "vitest";
import { sentenceCharRanges } from "./sentences.ts";
import { tokenize } from "./tokenizer.ts";

const split = (text: string) => sentenceCharRanges(text, tokenize(text)).map(([a, b]) => text.slice(a, b));

describe("splitSentences", () => {
  it("breaks at line ends and at terminal punctuation before a capital", () => {
    expect(split("Pt seen by Dr. Smith. Denies chest pain!\nMEDS:\r\n1. ASA 81 mg q.d. daily")).toEqual([
      "Pt seen by Dr. Smith.",
      "Denies chest pain!",
      "MEDS:",
      "1. ASA 81 mg q.d. daily",
    ]);
  });
  it("keeps decimals and lower-case continuations together, and closing quotes with their sentence", () => {
    expect(split('Temp 38.5 today. she says "I feel sick." Then slept.')).toEqual([
      'Temp 38.5 today. she says "I feel sick."',
      "Then slept.",
    ]);
  });
  it("handles empty text", () => {
    expect(split("")).toEqual([]);
  });
});
