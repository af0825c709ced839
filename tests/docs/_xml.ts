/**
 * A small XML well-formedness check for the tests (no DOM in Deno): one root element, tags nested
 * and closed, attributes quoted and not repeated, `&` only in entity references, `<` only in
 * markup, no control characters. Enough for generated SVG; not a full XML parser (no DTDs).
 *
 * @module
 */

/** The result of {@linkcode checkXml}: the root's name, or the first problem found. */
export type XmlCheck = { ok: true; root: string; text: string } | { ok: false; error: string };

const NAME = "[A-Za-z_][\\w.:-]*";
const ATTRIBUTE = new RegExp(`\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`, "y");
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
// deno-lint-ignore no-control-regex -- control characters are what it finds
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

/** Checks that `xml` is well-formed; on success also returns its character data, decoded. */
export function checkXml(xml: string): XmlCheck {
  const fail = (at: number, what: string): XmlCheck => {
    const line = xml.slice(0, at).split("\n").length;
    return { ok: false, error: `line ${line}: ${what}` };
  };
  const control = CONTROL.exec(xml);
  if (control) return fail(control.index, "a control character");
  const stack: string[] = [];
  let root: string | undefined;
  let text = "";
  let i = xml.startsWith("\ufeff") ? 1 : 0;
  while (i < xml.length) {
    if (xml.startsWith("<?", i) || xml.startsWith("<!--", i)) {
      const end = xml.indexOf(xml.startsWith("<?", i) ? "?>" : "-->", i + 2);
      if (end < 0) return fail(i, "an unclosed comment or processing instruction");
      i = end + 2;
      continue;
    }
    if (xml[i] === "<") {
      const close = xml[i + 1] === "/";
      const name = new RegExp(NAME, "y");
      name.lastIndex = i + (close ? 2 : 1);
      const found = name.exec(xml);
      if (!found) return fail(i, "a '<' that starts no tag");
      let at = name.lastIndex;
      const seen = new Set<string>();
      if (!close) {
        for (;;) {
          ATTRIBUTE.lastIndex = at;
          const attribute = ATTRIBUTE.exec(xml);
          if (!attribute) break;
          if (seen.has(attribute[1]!)) return fail(at, `attribute ${attribute[1]} given twice`);
          seen.add(attribute[1]!);
          const problem = checkAmpersands(attribute[2]!);
          if (problem !== undefined) return fail(at, `attribute ${attribute[1]}: ${problem}`);
          at = ATTRIBUTE.lastIndex;
        }
      }
      const rest = /\s*(\/?)>/y;
      rest.lastIndex = at;
      const end = rest.exec(xml);
      if (!end) return fail(at, `a malformed tag <${close ? "/" : ""}${found[0]}`);
      const selfClosing = end[1] === "/";
      if (close) {
        if (selfClosing) return fail(i, "a malformed end tag");
        const open = stack.pop();
        if (open !== found[0]) return fail(i, `</${found[0]}> closes <${open ?? "nothing"}>`);
      } else {
        if (stack.length === 0) {
          if (root !== undefined) return fail(i, "a second root element");
          root = found[0];
        }
        if (!selfClosing) stack.push(found[0]);
      }
      i = rest.lastIndex;
      continue;
    }
    const next = xml.indexOf("<", i);
    const chunk = xml.slice(i, next < 0 ? xml.length : next);
    if (stack.length === 0 && chunk.trim() !== "") return fail(i, "text outside the root element");
    const problem = checkAmpersands(chunk);
    if (problem !== undefined) return fail(i, problem);
    if (chunk.includes("]]>")) return fail(i, "']]>' in text");
    text += decode(chunk);
    i = next < 0 ? xml.length : next;
  }
  if (stack.length > 0) return fail(xml.length, `<${stack.at(-1)}> is not closed`);
  if (root === undefined) return fail(0, "no root element");
  return { ok: true, root, text };
}

function checkAmpersands(text: string): string | undefined {
  for (let at = text.indexOf("&"); at >= 0; at = text.indexOf("&", at + 1)) {
    ENTITY.lastIndex = at;
    if (!ENTITY.test(text)) return `a bare '&' (${JSON.stringify(text.slice(at, at + 12))})`;
  }
  return undefined;
}

function decode(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  return text.replace(
    /&(#x[0-9a-fA-F]+|#[0-9]+|\w+);/g,
    (_, e: string) =>
      e.startsWith("#x")
        ? String.fromCodePoint(parseInt(e.slice(2), 16))
        : e.startsWith("#")
        ? String.fromCodePoint(Number(e.slice(1)))
        : named[e]!,
  );
}
