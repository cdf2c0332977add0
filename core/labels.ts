// The label schema: medner's canonical labels, and label maps that rename a corpus's or model's labels onto them.
// Labels a map does not name pass through unchanged (model-specific labels such as the transformer's Lab_value).
import { z } from "zod";
import { describeIssue, MednerError } from "./errors.ts";

export const CANONICAL_LABELS = ["MEDICATION", "DISEASE", "TREATMENT"] as const;
export type CanonicalLabel = (typeof CANONICAL_LABELS)[number];

export const LabelMapSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  /** source label → canonical label */
  labels: z.record(z.string().min(1), z.enum(CANONICAL_LABELS)),
});
export type LabelMap = z.infer<typeof LabelMapSchema>;

export function parseLabelMap(json: unknown, source = "label map"): LabelMap {
  const r = LabelMapSchema.safeParse(json);
  if (!r.success) throw new MednerError("E130", describeIssue(r.error, source));
  return r.data;
}

export function mapLabel(map: LabelMap | undefined, label: string): string {
  return map?.labels[label] ?? label;
}
