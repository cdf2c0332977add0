// Reading a store's listing and pointers: the one reading shared by GET /models, the registry and `medner publish`.
import { describe, expect, it } from "vitest";
import { parsePointer, publishedVersions } from "./published.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const SHA = "ab".repeat(32);

describe("parsePointer", () => {
  it.each([
    ["a pointer", `{"version": "2", "manifest_sha256": "${SHA}"}`, { version: "2", manifest_sha256: SHA }],
    ["malformed JSON", "{not json", null],
    ["JSON that is not an object", "[]", null],
    ["a version the store cannot hold", `{"version": "../2", "manifest_sha256": "${SHA}"}`, null],
    ["a short sha256", '{"version": "2", "manifest_sha256": "abc"}', null],
  ])("%s", (_what, text, expected) => {
    expect(parsePointer(bytes(text))).toEqual(expected);
  });

  it("no current.json is no pointer", () => {
    expect(parsePointer(null)).toBeNull();
  });
});

describe("publishedVersions", () => {
  it("lists each model's versions that have a manifest.json, both sorted", () => {
    const keys = [
      "models/transformer/1/onnx/model_quantized.onnx",
      "models/transformer/1/manifest.json",
      "models/custom/2/manifest.json",
      "models/custom/2/model_quantized.onnx",
      "models/custom/current.json",
      "models/custom/10/manifest.json",
      "models/custom/1/manifest.json",
      // Half-uploaded: files, but not yet the manifest, which the publisher writes last.
      "models/custom/3/model_quantized.onnx",
      // Not a version's manifest: one inside a version's folder, and a key outside models/.
      "models/other/1/onnx/manifest.json",
      "backups/custom/4/manifest.json",
    ];
    expect([...publishedVersions(keys)]).toEqual([
      ["custom", ["1", "10", "2"]],
      ["transformer", ["1"]],
    ]);
  });

  it("an empty store publishes nothing", () => {
    expect(publishedVersions([]).size).toBe(0);
  });
});
