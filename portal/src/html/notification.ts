// A message above a page's content: saved, waiting, failed. Utrecht's alert. An error is a
// role="alert" (read out at once); the others are role="status" (read out when the reader is
// idle), so a confirmation does not interrupt.
import { html, type Markup } from "./markup.ts";

/** What the html template accepts: text (escaped), numbers, Markup, arrays of them. */
type Part = Parameters<typeof html>[1];

export type NotificationType = "info" | "ok" | "warning" | "error";

export interface NotificationOptions {
  type: NotificationType;
  title?: Part;
  body: Part;
  id?: string;
  /** Kept when a live page refreshes its content (live-script.ts): the confirmation of what the person just did. */
  keep?: boolean;
}

export function notification(o: NotificationOptions): Markup {
  const role = o.type === "error" ? "alert" : "status";
  return html`<div class="utrecht-alert utrecht-alert--${o.type}" role="${role}"${o.id ? html` id="${o.id}"` : ""}${o.keep ? html` data-portal-keep` : ""}>
<div class="utrecht-alert__content"><div class="utrecht-alert__message">${
    o.title !== undefined ? html`<p class="utrecht-paragraph"><strong>${o.title}</strong></p>` : ""
  }<div>${o.body}</div></div></div>
</div>`;
}
