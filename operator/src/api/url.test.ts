import { describe, expect, it } from "vitest";
import { urlProblem } from "./url.ts";

describe("urlProblem", () => {
  it.each([
    "https://zaken.utrecht.nl/zaken/api/v1",
    "https://10.1.2.3:8443/api",
    "https://zaken.example.nl/api?tenant=gm0344",
  ])("accepts %s", (value) => {
    expect(urlProblem(value)).toBeUndefined();
  });

  it.each([
    ["", "is not an absolute URL such as https://zaken.example.nl/api/v1"],
    ["../../etc", "is not an absolute URL such as https://zaken.example.nl/api/v1"],
    ["/zaken/api", "is not an absolute URL such as https://zaken.example.nl/api/v1"],
    ["http://zaken.utrecht.nl/api", "uses http; only https is allowed"],
    ["file:///etc/passwd", "uses file; only https is allowed"],
    ["javascript:alert(1)", "uses javascript; only https is allowed"],
    ["https://user:secret@zaken.utrecht.nl/", "contains credentials; put them in a Secret, not in a parameter"],
    ["https://zaken.utrecht.nl/api#x", "has a fragment (#…), which a server never sees"],
    ["https://zaken.utrecht.nl/ api", "contains white space"],
    [`https://zaken.utrecht.nl/${"a".repeat(2048)}`, "is longer than 2048 characters"],
  ])("refuses %j: %s", (value, problem) => {
    expect(urlProblem(value)).toBe(problem);
  });
});
