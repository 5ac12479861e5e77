import { describe, expect, it } from "vitest";
import { parseMetrics, spread, sumBy } from "./measure.ts";

const text = `# HELP rest_client_requests_total Number of HTTP requests.
# TYPE rest_client_requests_total counter
rest_client_requests_total{code="200",method="PATCH",host="a"} 10
rest_client_requests_total{code="409",method="PATCH",host="a"} 2
rest_client_requests_total{code="200",method="GET",host="a"} 5
controller_runtime_reconcile_total{controller="x",result="success"} 7
controller_runtime_reconcile_total{controller="y",result="error"} 1
nodejs_heap_size_used_bytes 1.5e+06
`;

describe("parseMetrics and sumBy", () => {
  const samples = parseMetrics(text);

  it("reads every sample with its labels and skips comments", () => {
    expect(samples).toHaveLength(6);
    expect(samples[0]).toEqual({
      name: "rest_client_requests_total",
      labels: { code: "200", method: "PATCH", host: "a" },
      value: 10,
    });
    expect(samples[5]).toEqual({ name: "nodejs_heap_size_used_bytes", labels: {}, value: 1_500_000 });
  });

  it("sums by a label, over everything, or over what the grouping keeps", () => {
    expect(sumBy(samples, "rest_client_requests_total", (l) => l.method)).toEqual({ PATCH: 12, GET: 5 });
    expect(sumBy(samples, "controller_runtime_reconcile_total")).toEqual({ "": 8 });
    expect(sumBy(samples, "rest_client_requests_total", (l) => (l.code === "200" ? l.method : undefined))).toEqual({
      PATCH: 10,
      GET: 5,
    });
    expect(sumBy(samples, "absent")).toEqual({});
  });
});

describe("spread", () => {
  it("gives the median, the 90th percentile and the largest by nearest rank, whatever the order", () => {
    expect(spread([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual({ p50: 5, p90: 9, max: 10 });
    expect(spread([3])).toEqual({ p50: 3, p90: 3, max: 3 });
    expect(spread([])).toBeUndefined();
  });
});
