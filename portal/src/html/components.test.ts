// The small HTML helpers: what each one promises a screen reader, and that text is escaped.
import { describe, expect, it } from "vitest";
import { descriptionList } from "./description-list.ts";
import { checkboxField, numberField, selectField, textField } from "./form-fields.ts";
import { html } from "./markup.ts";
import { notification } from "./notification.ts";
import { conditionTone, riskBadge, riskTone, statusBadge } from "./status-badge.ts";
import { table } from "./table.ts";

const EVIL = `<img src=x onerror="alert(1)">`;
const ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;";

describe("table", () => {
  const t = table({
    caption: "Bouwblokken van Utrecht",
    columns: [{ header: "Bouwblok" }, { header: "Versie" }, { header: "Replica's", numeric: true }],
    rows: [
      ["anonimiseren", "1.2.0", 2],
      [EVIL, html`<a href="/x">1.0.0</a>`, 0],
    ],
  }).value;

  it("has a caption, column headers with scope=col and row headers with scope=row", () => {
    expect(t).toContain('<caption class="utrecht-table__caption">Bouwblokken van Utrecht</caption>');
    expect(t.match(/<th scope="col"/g)).toHaveLength(3);
    expect(t).toContain('<th scope="row" class="utrecht-table__header-cell">anonimiseren</th>');
    expect(t).toContain('<td class="utrecht-table__cell utrecht-table__cell--numeric-data">2</td>');
  });

  it("escapes text cells and keeps markup cells", () => {
    expect(t).toContain(`<th scope="row" class="utrecht-table__header-cell">${ESCAPED}</th>`);
    expect(t).toContain('<a href="/x">1.0.0</a>');
  });

  it("shows the empty text across the table, and refuses a row of the wrong width", () => {
    const empty = table({ caption: "c", columns: [{ header: "a" }, { header: "b" }], rows: [], empty: "Geen" }).value;
    expect(empty).toContain('<td class="utrecht-table__cell" colspan="2">Geen</td>');
    expect(() => table({ caption: "c", columns: [{ header: "a" }], rows: [["x", "y"]] })).toThrow(
      "table row 0 has 2 cells; the table has 1 columns",
    );
  });

  it("can do without row headers", () => {
    const plain = table({ caption: "c", columns: [{ header: "a" }], rows: [["x"]], rowHeaders: false }).value;
    expect(plain).not.toContain('scope="row"');
  });
});

describe("descriptionList", () => {
  it("pairs terms and values in a dl, escaped, and leaves out empty values unless told what to show", () => {
    const dl = descriptionList([
      ["Leverancier", EVIL],
      ["DPIA-referentie", undefined],
      ["Risicoklasse", "hoog"],
    ]).value;
    expect(dl).toContain(
      `<dt class="utrecht-data-list__item-key">Leverancier</dt><dd class="utrecht-data-list__item-value utrecht-data-list__item-value--html-dd">${ESCAPED}</dd>`,
    );
    expect(dl).not.toContain("DPIA");
    expect(descriptionList([["DPIA-referentie", ""]], "onbekend").value).toContain(">onbekend</dd>");
  });
});

describe("statusBadge", () => {
  it("shows the text with a tone class; conditions and risk classes map to tones", () => {
    expect(statusBadge("Gereed", conditionTone("True")).value).toBe(
      '<span class="utrecht-status-badge utrecht-status-badge--success">Gereed</span>',
    );
    expect(conditionTone("False")).toBe("danger");
    expect(conditionTone(undefined)).toBe("neutral");
    expect(riskTone("high")).toBe("warning");
    expect(riskTone("unacceptable")).toBe("danger");
    expect(statusBadge(EVIL).value).toContain(ESCAPED);
  });
});

describe("riskBadge", () => {
  it("names the risk class in the page's language, in the tone of the risk", () => {
    expect(riskBadge("high", "nl").value).toBe(
      '<span class="utrecht-status-badge utrecht-status-badge--warning">Hoog risico</span>',
    );
    expect(riskBadge("minimal", "en").value).toContain(">Minimal risk</span>");
    expect(riskBadge("onbekend", "nl").value).toContain(">onbekend</span>");
  });
});

describe("notification", () => {
  it("makes errors alerts and the rest polite status messages", () => {
    expect(notification({ type: "error", body: "Mislukt" }).value).toContain(
      'class="utrecht-alert utrecht-alert--error" role="alert"',
    );
    const ok = notification({ type: "ok", title: "Gelukt", body: EVIL }).value;
    expect(ok).toContain('role="status"');
    expect(ok).toContain("<strong>Gelukt</strong>");
    expect(ok).toContain(ESCAPED);
  });
});

describe("form fields", () => {
  it("ties label, hint and error to a text field and marks it invalid", () => {
    const f = textField({
      name: "naam",
      label: "Naam",
      hint: "Zoals in het register",
      error: "Vul een naam in",
      value: EVIL,
    }).value;
    const id = /<input type="text"[^>]* id="([^"]+)"/.exec(f)?.[1] ?? "";
    expect(id).not.toBe("");
    expect(f).toContain(`<label class="utrecht-form-label" for="${id}">Naam</label>`);
    expect(f).toContain(`aria-describedby="${id}-hint ${id}-error"`);
    expect(f).toContain('aria-invalid="true"');
    expect(f).toContain(`id="${id}-error">Vul een naam in</div>`);
    expect(f).toContain("utrecht-textbox--invalid");
    expect(f).toContain(`value="${ESCAPED}"`);
  });

  it("has no aria-invalid or error without an error", () => {
    const f = textField({ name: "naam", label: "Naam" }).value;
    expect(f).not.toContain("aria-invalid");
    expect(f).not.toContain("aria-describedby");
  });

  it("makes a number a text input with a numeric or decimal keyboard", () => {
    expect(numberField({ name: "drempel", label: "Drempel", value: 0.5 }).value).toMatch(
      /<input type="text" inputmode="decimal" class="[^"]*utrecht-textbox--numeric[^"]*" [^>]*value="0.5">/,
    );
    expect(numberField({ name: "n", label: "N", integer: true }).value).toContain('inputmode="numeric"');
  });

  it("selects the current option and offers an empty first choice when asked", () => {
    const f = selectField({
      name: "taal",
      label: "Taal",
      value: "en",
      placeholder: "Maak een keuze",
      options: [
        { value: "nl", label: "Nederlands" },
        { value: "en", label: "English" },
      ],
    }).value;
    expect(f).toContain(
      '<option value="">Maak een keuze</option><option value="nl">Nederlands</option><option value="en" selected>English</option>',
    );
  });

  it("puts a checkbox before its label and sends false when it is unchecked", () => {
    const f = checkboxField({
      name: "automatisch",
      label: "Automatisch bijwerken",
      checked: true,
      error: "Niet toegestaan",
    }).value;
    const hidden = f.indexOf('<input type="hidden" name="automatisch" value="false">');
    const box = f.indexOf('<input type="checkbox"');
    expect(hidden).toBeGreaterThan(0);
    expect(box).toBeGreaterThan(hidden);
    expect(f.indexOf("<label")).toBeGreaterThan(box);
    expect(f).toContain(`class="utrecht-form-field__error-message utrecht-form-field-error-message"`);
    expect(f).toMatch(
      /<input type="checkbox"[^>]* value="true" checked aria-describedby="[^"]+-error" aria-invalid="true">/,
    );
  });
});
