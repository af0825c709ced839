/**
 * A selection setting (`filter`, `slice`, `sample`) as a phase key: checked when the pipeline
 * loads, with the reason and the value in the message.
 *
 * @module
 */
import { z } from "zod";
import { selectionProblem } from "../dataset/select.ts";

/** The schema of selection setting `key`. */
export function selectionSetting(key: "filter" | "slice" | "sample") {
  return z.string().superRefine((value, ctx) => {
    const message = selectionProblem(key, value);
    if (message) {
      ctx.addIssue({ code: "custom", message: `${message}, got ${JSON.stringify(value)}` });
    }
  });
}
