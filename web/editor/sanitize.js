// The browser-side check of rendered Markdown: DOMPurify (vendored into this bundle, pinned in
// package.json) with the allow-list Python renders against (fenced.app.view.sanitize.policy(), handed
// over in createController's options). Python has already decided which tags render and shown the
// others as text (so nothing here removes prose); this layer checks the HTML as the browser itself
// parses it, in an inert document, and hands back a fragment (no string round trip to re-parse).
import DOMPurify from "dompurify";

const RASTER_DATA = /^data:image\/(png|jpe?g|gif|webp|avif|bmp);/i;
// http(s), mailto, or no scheme at all (relative, #fragment).
const SAFE_URL = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;
const TEXT_ALIGN = /^text-align:(left|right|center)$/;
const LANG_CLASS = /^(language-[\w+#.-]{1,40})( language-[\w+#.-]{1,40})*$/;

/** A function html -> DocumentFragment that keeps only what `policy` ({tags, global, attributes})
 *  allows. Fails closed: without a policy nothing is rendered as HTML. */
export function makePurifier(policy) {
  if (!policy || !Array.isArray(policy.tags)) throw new Error("makePurifier: no Markdown allow-list given");
  const purify = DOMPurify(window);
  const global = new Set(policy.global);
  const perTag = new Map(Object.entries(policy.attributes).map(([tag, names]) => [tag, new Set(names)]));
  const allAttrs = new Set(global);
  for (const names of perTag.values()) for (const n of names) allAttrs.add(n);

  purify.addHook("uponSanitizeAttribute", (node, data) => {
    const tag = node.nodeName.toLowerCase();
    const name = data.attrName;
    if (!(global.has(name) || (perTag.get(tag) && perTag.get(tag).has(name)))) {
      data.keepAttr = false;
    } else if (name === "style") {
      data.keepAttr = TEXT_ALIGN.test(data.attrValue);
    } else if (name === "class") {
      data.keepAttr = LANG_CLASS.test(data.attrValue);
    } else if (name === "id") {
      data.keepAttr = !!policy.idPrefix && data.attrValue.startsWith(policy.idPrefix);  // headings' anchors only
    } else if (name === "src") {
      data.keepAttr = RASTER_DATA.test(data.attrValue);  // remote and relative images come as data-*
    }
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    if (node.nodeName === "A" && node.hasAttribute("href") && !node.getAttribute("href").startsWith("#")) {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    } else if (node.nodeName === "IMG") {
      node.setAttribute("referrerpolicy", "no-referrer");
    }
  });
  const config = {
    ALLOWED_TAGS: policy.tags,
    ALLOWED_ATTR: [...allAttrs],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    ALLOWED_URI_REGEXP: SAFE_URL,
    RETURN_DOM_FRAGMENT: true,
  };
  return (html) => purify.sanitize(html, config);
}
