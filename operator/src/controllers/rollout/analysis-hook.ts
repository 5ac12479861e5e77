// The analysis hook of a rollout strategy: an HTTPS endpoint that says go or no-go before the
// next ring starts, in the manner of Flagger's confirm-promotion webhooks. Any 2xx answer is go;
// any other answer is no-go (the rollout halts and rolls back); no answer at all (refused,
// timed out, a TLS failure) is neither: the ring waits and the hook is asked again.
import { request } from "node:https";
import type { RingName, RolloutStrategy } from "../../api/v1alpha1/index.ts";

export type AnalysisVerdict = { ring: RingName; verdict: "Go" | "NoGo" | "Unreachable"; message: string };

export interface AnalysisQuestion {
  rollout: string;
  block: string;
  version: string;
  /** The ring that is done. */
  ring: RingName;
  /** The ring that would start on go. */
  nextRing: RingName;
  rings: unknown;
}

export async function askAnalysis(
  hook: NonNullable<RolloutStrategy["analysis"]>,
  question: AnalysisQuestion,
): Promise<AnalysisVerdict> {
  const body = JSON.stringify({ type: "confirm-ring", ...question });
  const ring = question.ring;
  return new Promise((resolve) => {
    const req = request(
      hook.url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        timeout: (hook.timeoutSeconds ?? 10) * 1000,
        ...(hook.caBundle && { ca: hook.caBundle }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const code = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString("utf8").slice(0, 300).trim();
          resolve(
            code >= 200 && code < 300
              ? { ring, verdict: "Go", message: `analysis hook said go (HTTP ${code})` }
              : { ring, verdict: "NoGo", message: `analysis hook said no-go (HTTP ${code}${text ? `: ${text}` : ""})` },
          );
        });
        res.on("error", (err) => resolve({ ring, verdict: "Unreachable", message: `analysis hook: ${err.message}` }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${hook.timeoutSeconds ?? 10} s`)));
    req.on("error", (err) =>
      resolve({ ring, verdict: "Unreachable", message: `analysis hook ${hook.url}: ${err.message}` }),
    );
    req.end(body);
  });
}
