/**
 * Masking secrets: values taken from secret-looking environment variables are replaced before
 * anything is printed or written.
 *
 * @module
 */

/** Replaces every secret (4 characters or more) in a text with `****`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.replaceAll(secret, "****");
  return out;
}
