import { describe, expect, it } from "vitest";
import { meansBy, parseMetrics, sumBy } from "./measure.ts";

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

describe("meansBy", () => {
  it("gives each group's count and mean from a histogram's sum and count, the largest total first", () => {
    const samples = parseMetrics(`d_sum{verb="POST",resource="pods"} 3
d_count{verb="POST",resource="pods"} 200
d_sum{verb="PUT",resource="pvc"} 8
d_count{verb="PUT",resource="pvc"} 100
d_sum{verb="PUT",resource="pvc",code="409"} 2
d_count{verb="PUT",resource="pvc",code="409"} 100
d_sum{verb="GET",resource="pods"} 9
d_count{verb="GET",resource="pods"} 5
d_bucket{verb="POST",resource="pods",le="1"} 200
`);
    const byWrite = (l: Record<string, string>) => (l.verb === "GET" ? undefined : `${l.verb} ${l.resource}`);
    expect(meansBy(samples, "d", byWrite)).toEqual({
      "PUT pvc": { count: 200, meanMs: 50 },
      "POST pods": { count: 200, meanMs: 15 },
    });
    // Groups with fewer observations than asked are left out.
    expect(Object.keys(meansBy(samples, "d", (l) => l.verb, 150))).toEqual(["PUT", "POST"]);
  });
});
