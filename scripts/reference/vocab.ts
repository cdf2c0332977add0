// Prints the WordPiece vocabulary medner generates for its tiny models (trainer/distilbert/vocab.ts), one token a line
// in id order, so the reference fixtures' tokenizers split text the way the generated models' do (make_fixtures.py).
// Usage: npx tsx scripts/reference/vocab.ts <size>
import { buildVocab, clinicalTexts } from "../../trainer/distilbert/vocab.ts";
import { isMain } from "../is-main.ts";

if (isMain(import.meta.url)) {
  const size = Number(process.argv[2]);
  if (!Number.isInteger(size) || size < 200) throw new Error(`usage: vocab.ts <size ≥ 200>, not ${process.argv[2]}`);
  process.stdout.write(`${buildVocab(clinicalTexts(), size).join("\n")}\n`);
}
