import { describe, expect, it } from "vitest";
import { matchRoute } from "./routes.ts";

describe("matchRoute", () => {
  it("matches pages and their parameters", () => {
    expect(matchRoute("GET", "/mijn-gemeente")).toEqual({ name: "mijn-gemeente", params: {} });
    expect(matchRoute("POST", "/updates/pseudonimisering/goedkeuren")).toEqual({
      name: "approve",
      params: { activation: "pseudonimisering" },
    });
    expect(matchRoute("POST", "/uitrol/bezwaar-intake-1.4.0/pauzeren")).toEqual({
      name: "rollout-action",
      params: { rollout: "bezwaar-intake-1.4.0", action: "pauzeren" },
    });
    expect(matchRoute("GET", "/transparantie/utrecht/algoritmeregister.json")).toEqual({
      name: "algoritmeregister",
      params: { tenant: "utrecht" },
    });
    expect(matchRoute("HEAD", "/catalogus")).toEqual({ name: "catalogus", params: {} });
    expect(matchRoute("GET", "/healthz")).toEqual({ name: "healthz", params: {} });
  });
  it("tells a wrong method from an unknown path, and refuses names that are not Kubernetes names", () => {
    expect(matchRoute("POST", "/catalogus")).toEqual({ name: "method-not-allowed" });
    expect(matchRoute("GET", "/nergens")).toEqual({ name: "not-found" });
    expect(matchRoute("POST", "/updates/..%2Fetc/goedkeuren")).toEqual({ name: "not-found" });
    expect(matchRoute("POST", "/updates/Hoofdletters/goedkeuren")).toEqual({ name: "not-found" });
  });
});
