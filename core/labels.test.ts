import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mapLabel, parseLabelMap } from "./labels.ts";

const DIR = new URL("../models/label-maps/", import.meta.url);

describe("label maps", () => {
  it.each(readdirSync(DIR).filter((f) => f.endsWith(".json")))("models/label-maps/%s is valid", (f) => {
    const map = parseLabelMap(JSON.parse(readFileSync(new URL(f, DIR), "utf8")), f);
    expect(Object.keys(map.labels).length).toBeGreaterThan(0);
  });

  it("maps named labels onto canonical ones and passes the rest through", () => {
    const map = parseLabelMap({ name: "bc5cdr", labels: { Chemical: "MEDICATION", Disease: "DISEASE" } });
    expect(["Chemical", "Disease", "Lab_value"].map((l) => mapLabel(map, l))).toEqual(["MEDICATION", "DISEASE", "Lab_value"]);
    expect(mapLabel(undefined, "X")).toBe("X");
  });

  it("rejects a map whose target is not canonical, naming the entry", () => {
    expect(() => parseLabelMap({ name: "x", labels: { Chemical: "DRUG" } }, "x.json")).toThrow(/E130: x\.json: labels\.Chemical: /);
  });
});
