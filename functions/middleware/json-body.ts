// Validates a JSON body with a zod schema through @hono/zod-validator, so that handlers read a typed
// c.req.valid("json"), in our error shape: 415 for another content type, 400 invalid_json for malformed JSON,
// 400 invalid_request naming the first field that breaks the schema.
import { zValidator } from "@hono/zod-validator";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { ApiError } from "../errors.ts";

// application/json itself, with or without parameters. The validator alone would also read application/*+json, and
// would validate an empty object for any other type (a 400 naming "text" where the caller needs a 415).
const JSON_TYPE = /^application\/json\s*(;|$)/i;

export const jsonBody = <T extends z.ZodType>(schema: T) => {
  const validate = zValidator("json", schema, (result) => {
    if (result.success) return;
    const issue = result.error.issues[0]!;
    throw new ApiError(400, "invalid_request", `${issue.path.join(".") || "(body)"}: ${issue.message}`);
  });
  const checked: typeof validate = async function jsonBody(c, next) {
    if (!JSON_TYPE.test(c.req.header("content-type") ?? "")) throw new ApiError(415, "unsupported_media_type", "send the body as application/json");
    let valid = false;
    try {
      return await validate(c, () => {
        valid = true;
        return next();
      });
    } catch (err) {
      // Malformed JSON is the one error the validator raises itself, before the schema: a bare 400 HTTPException.
      if (!valid && err instanceof HTTPException && !(err instanceof ApiError)) throw new ApiError(400, "invalid_json", "the body is not valid JSON");
      throw err;
    }
  };
  return checked;
};
