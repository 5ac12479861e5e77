// A short status next to a thing (Gereed, Mislukt, Hoog risico) as a Utrecht status badge. The
// badge's text carries the meaning; the colour only repeats it (WCAG 1.4.1: colour is never the
// only signal).
import { type Lang, type MessageKey, translator } from "../i18n.ts";
import { html, type Markup } from "./markup.ts";

export type BadgeTone = "success" | "warning" | "danger" | "error" | "neutral" | "active" | "inactive";

export function statusBadge(text: string, tone: BadgeTone = "neutral"): Markup {
  return html`<span class="utrecht-status-badge utrecht-status-badge--${tone}">${text}</span>`;
}

/** The tone of a Kubernetes condition's status: True is good, False is bad, else unknown. */
export function conditionTone(status: string | undefined): BadgeTone {
  return status === "True" ? "success" : status === "False" ? "danger" : "neutral";
}

/** The tone of an AI Act risk class (minimal, limited, high, unacceptable). */
export function riskTone(riskClass: string | undefined): BadgeTone {
  switch (riskClass) {
    case "minimal":
      return "success";
    case "limited":
      return "neutral";
    case "high":
      return "warning";
    case "unacceptable":
      return "danger";
    default:
      return "neutral";
  }
}

const RISK_KEYS: Record<string, MessageKey> = {
  minimal: "risk.minimal",
  limited: "risk.limited",
  high: "risk.high",
  unacceptable: "risk.unacceptable",
};

/**
 * A risk class as residents read it: "Hoog risico" (nl) or "High risk" (en), not the API's "high";
 * an unknown class shows as it is.
 */
export function riskBadge(riskClass: string, lang: Lang): Markup {
  const key = RISK_KEYS[riskClass];
  return statusBadge(key ? translator(lang)(key) : riskClass, riskTone(riskClass));
}
