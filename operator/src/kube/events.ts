// Kubernetes Events (events.k8s.io/v1) for what a person should see in `kubectl describe` and
// `kubectl events`. Repeats of the same event are aggregated into one Event with a series
// (count, lastObservedTime) instead of a new object each time, as client-go's recorder does.
import { randomBytes } from "node:crypto";
import type { KubeObject } from "./object.ts";
import type { RestClient } from "./rest-client.ts";
import { microTime } from "./time.ts";

export type EventType = "Normal" | "Warning";

export interface EventInput {
  regarding: KubeObject;
  type: EventType;
  /** CamelCase, for example TenantReady or CertificationExpired. */
  reason: string;
  /** What the controller did, CamelCase, for example Reconcile. */
  action: string;
  /** A sentence for a person; at most 1 kB is kept. */
  note: string;
}

interface Series {
  name: string;
  namespace: string;
  count: number;
  firstSeen: number;
}

/** Repeats within this window are folded into one Event. */
const SERIES_WINDOW_MS = 30 * 60 * 1000;

export class EventRecorder {
  private readonly client: RestClient;
  private readonly controller: string;
  private readonly instance: string;
  private readonly series = new Map<string, Series>();
  private readonly now: () => number;

  constructor(client: RestClient, controller: string, instance: string, now: () => number = Date.now) {
    this.client = client;
    this.controller = controller;
    this.instance = instance;
    this.now = now;
  }

  /** Records an event; a repeat (same object, type, reason, action and note) updates the series. */
  async record(input: EventInput): Promise<void> {
    const meta = input.regarding.metadata;
    // Events about cluster-scoped objects live in "default", as kubectl expects.
    const namespace = meta.namespace ?? "default";
    const note = input.note.length > 1024 ? `${input.note.slice(0, 1021)}...` : input.note;
    const key = [meta.uid, input.type, input.reason, input.action, note].join("\u0000");
    const now = this.now();
    const existing = this.series.get(key);
    if (existing && now - existing.firstSeen < SERIES_WINDOW_MS) {
      existing.count++;
      await this.client.request(
        "PATCH",
        `/apis/events.k8s.io/v1/namespaces/${existing.namespace}/events/${existing.name}`,
        {
          body: { series: { count: existing.count, lastObservedTime: microTime(now) } },
          contentType: "application/merge-patch+json",
        },
      );
      return;
    }
    const name = `${meta.name}.${randomBytes(8).toString("hex")}`;
    await this.client.request("POST", `/apis/events.k8s.io/v1/namespaces/${namespace}/events`, {
      body: {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { name, namespace },
        eventTime: microTime(now),
        reportingController: this.controller,
        reportingInstance: this.instance,
        action: input.action,
        reason: input.reason,
        type: input.type,
        note,
        regarding: {
          apiVersion: input.regarding.apiVersion,
          kind: input.regarding.kind,
          name: meta.name,
          namespace: meta.namespace,
          uid: meta.uid,
          resourceVersion: meta.resourceVersion,
        },
      },
    });
    this.series.set(key, { name, namespace, count: 1, firstSeen: now });
    if (this.series.size > 4096) this.prune(now);
  }

  private prune(now: number): void {
    for (const [key, s] of this.series) if (now - s.firstSeen >= SERIES_WINDOW_MS) this.series.delete(key);
  }
}
