// Prometheus metrics under the names controller-runtime and client-go use, so that existing
// dashboards for Go operators work for aihub unchanged.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RequestRecord } from "../kube/rest-client.ts";

const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.1, 1, 10, 100, 1000];

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconcileTotal = new Counter({
    name: "controller_runtime_reconcile_total",
    help: "Total number of reconciliations per controller",
    labelNames: ["controller", "result"],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: "controller_runtime_reconcile_errors_total",
    help: "Total number of reconciliation errors per controller",
    labelNames: ["controller"],
    registers: [this.registry],
  });
  readonly terminalErrors = new Counter({
    name: "controller_runtime_terminal_reconcile_errors_total",
    help: "Total number of terminal reconciliation errors per controller",
    labelNames: ["controller"],
    registers: [this.registry],
  });
  readonly reconcileTime = new Histogram({
    name: "controller_runtime_reconcile_time_seconds",
    help: "Length of time per reconciliation per controller",
    labelNames: ["controller"],
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  readonly activeWorkers = new Gauge({
    name: "controller_runtime_active_workers",
    help: "Number of currently used workers per controller",
    labelNames: ["controller"],
    registers: [this.registry],
  });
  readonly maxWorkers = new Gauge({
    name: "controller_runtime_max_concurrent_reconciles",
    help: "Maximum number of concurrent reconciles per controller",
    labelNames: ["controller"],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: "workqueue_depth",
    help: "Current depth of workqueue",
    labelNames: ["name", "controller"],
    registers: [this.registry],
  });
  readonly queueAdds = new Counter({
    name: "workqueue_adds_total",
    help: "Total number of adds handled by workqueue",
    labelNames: ["name", "controller"],
    registers: [this.registry],
  });
  readonly queueRetries = new Counter({
    name: "workqueue_retries_total",
    help: "Total number of retries handled by workqueue",
    labelNames: ["name", "controller"],
    registers: [this.registry],
  });
  readonly queueLatency = new Histogram({
    name: "workqueue_queue_duration_seconds",
    help: "How long in seconds an item stays in workqueue before being requested",
    labelNames: ["name", "controller"],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly workDuration = new Histogram({
    name: "workqueue_work_duration_seconds",
    help: "How long in seconds processing an item from workqueue takes",
    labelNames: ["name", "controller"],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly restRequests = new Counter({
    name: "rest_client_requests_total",
    help: "Number of HTTP requests, partitioned by status code, method, and host",
    labelNames: ["code", "method", "host"],
    registers: [this.registry],
  });
  readonly restLatency = new Histogram({
    name: "rest_client_request_duration_seconds",
    help: "Request latency in seconds, broken down by verb",
    labelNames: ["verb"],
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: "leader_election_master_status",
    help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master",
    labelNames: ["name"],
    registers: [this.registry],
  });

  readonly webhookRequests = new Counter({
    name: "controller_runtime_webhook_requests_total",
    help: "Total number of admission requests by HTTP status code",
    labelNames: ["webhook", "code"],
    registers: [this.registry],
  });
  readonly webhookInFlight = new Gauge({
    name: "controller_runtime_webhook_requests_in_flight",
    help: "Current number of admission requests being served",
    labelNames: ["webhook"],
    registers: [this.registry],
  });
  readonly webhookLatency = new Histogram({
    name: "controller_runtime_webhook_latency_seconds",
    help: "Histogram of the latency of processing admission requests",
    labelNames: ["webhook"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly watchRestarts = new Counter({
    name: "aihub_watch_restarts_total",
    help: "Watches made again, by resource and reason: idle (nothing arrived for 90 s), expired (410 Gone: listed again) or error",
    labelNames: ["resource", "reason"],
    registers: [this.registry],
  });

  readonly rendersSkipped = new Counter({
    name: "aihub_renders_skipped_total",
    help: "Reconciles that found the children as rendered with the same inputs before (their digest) and did not render them again",
    labelNames: ["controller"],
    registers: [this.registry],
  });

  readonly memoryReductions = new Counter({
    name: "aihub_memory_reductions_total",
    help: "Memory-reducing garbage collections the operator ran (--memory-reduce-threshold-mb)",
    registers: [this.registry],
  });
  readonly memoryReductionSeconds = new Counter({
    name: "aihub_memory_reduction_seconds_total",
    help: "Time spent in memory-reducing garbage collections",
    registers: [this.registry],
  });
  readonly memoryReducedBytes = new Counter({
    name: "aihub_memory_reduced_bytes_total",
    help: "Resident memory given back to the system by memory-reducing garbage collections",
    registers: [this.registry],
  });

  /** Adds the process metrics (process_resident_memory_bytes, nodejs_heap_size_used_bytes, ...). */
  collectProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }

  /** Feeds rest_client_* from a client's request observer. */
  observeRequests(host: string): (rec: RequestRecord) => void {
    return (rec) => {
      this.restRequests.inc({ code: rec.code === 0 ? "<error>" : String(rec.code), method: rec.method, host });
      this.restLatency.observe({ verb: rec.method }, rec.seconds);
    };
  }

  /** Work-queue callbacks for one controller's queue. */
  queueHooks(controller: string) {
    const labels = { name: controller, controller };
    return {
      depth: (n: number) => this.queueDepth.set(labels, n),
      add: () => this.queueAdds.inc(labels),
      retry: () => this.queueRetries.inc(labels),
      queueLatency: (s: number) => this.queueLatency.observe(labels, s),
      workDuration: (s: number) => this.workDuration.observe(labels, s),
    };
  }

  /** The sum of a counter's values whose labels match `match`. */
  async sum(
    name: string,
    match: (labels: Partial<Record<string, string | number>>) => boolean = () => true,
  ): Promise<number> {
    const metric = await this.registry.getSingleMetric(name)?.get();
    return (metric?.values ?? []).filter((v) => match(v.labels)).reduce((a, v) => a + v.value, 0);
  }
}
