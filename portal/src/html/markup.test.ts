import { describe, expect, it } from "vitest";
import { html, raw } from "./markup.ts";

describe("html", () => {
  it("escapes interpolated text and attribute quotes", () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>',
    );
  });
  it("keeps markup it made, joins arrays and drops null, undefined and false", () => {
    const items = ["a<", "b"].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}${null}${undefined}${false}${raw("<hr>")}</ul>`.value).toBe(
      "<ul><li>a&lt;</li><li>b</li><hr></ul>",
    );
  });
});
