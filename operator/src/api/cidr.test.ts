import { describe, expect, it } from "vitest";
import { isCidr } from "./cidr.ts";

// What CEL's isCIDR() answered on kube-apiserver 1.35 (test/e2e/fuzz.test.ts compares many more).
describe("isCidr", () => {
  it.each([
    "10.0.0.0/8",
    "10.19.0.1/16", // host bits may be set
    "0.0.0.0/0",
    "192.0.2.10/32",
    "2001:db8::/32",
    "2001:DB8::1/128",
    "::/0",
    "::1.2.3.4/128",
    "1:2:3:4:5:6:1.2.3.4/96",
    "1:2:3:4:5:6:7:8/64",
    "fe80::/10",
    "1:2:3:4:5:6:7::/64",
  ])("accepts %s", (cidr) => {
    expect(isCidr(cidr)).toBe(true);
  });

  it.each([
    ["10.0.0.0/33", "a prefix longer than the address"],
    ["010.0.0.0/8", "a leading zero in a field"],
    ["10.0.0/8", "three fields"],
    ["10.0.0.0", "no prefix length"],
    ["10.0.0.0/08", "a leading zero in the length"],
    ["10.0.0.0/+8", "a sign"],
    ["1.2.3.256/32", "a field above 255"],
    ["::ffff:10.0.0.0/104", "an IPv4-mapped IPv6 address"],
    ["::ffff:a00:0/104", "an IPv4-mapped IPv6 address in hex"],
    ["1::2::3/64", "two ::"],
    ["2001:db8::1%eth0/64", "a zone"],
    ["1:2:3:4:5:6:7:8:9/64", "nine groups"],
    ["::1:2:3:4:5:6:7:8/64", "a :: that stands for nothing"],
    ["1:2:3:4:5:1.2.3.4/96", "an IPv4 tail in the wrong place"],
    ["12345::/16", "a group of five digits"],
    ["::/129", "a prefix longer than 128"],
    ["zaken.example.nl/32", "a host name"],
    [" 10.0.0.0/8", "white space"],
    ["10.0.0.0/8/8", "two lengths"],
    [":/0", "a lone colon"],
  ])("refuses %s (%s)", (cidr) => {
    expect(isCidr(cidr)).toBe(false);
  });
});
