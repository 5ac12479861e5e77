// CEL's isCIDR() as the API server evaluates it, for the zod twin of the egress rule: Go's
// netip.ParsePrefix (IPv4 in four decimal fields without leading zeros, IPv6 with at most one ::
// and an optional IPv4 tail, no zone, prefix length without sign or leading zero), and no
// IPv4-mapped IPv6 address (k8s.io/apiserver/pkg/cel/library/cidr.go). Host bits may be set.

/** Whether CEL's isCIDR(s) is true. */
export function isCidr(s: string): boolean {
  const slash = s.lastIndexOf("/");
  if (slash < 0) return false;
  const addr = parseAddr(s.slice(0, slash));
  if (!addr) return false;
  const bits = s.slice(slash + 1);
  if (!/^(0|[1-9][0-9]*)$/.test(bits)) return false;
  if (Number(bits) > (addr.length === 4 ? 32 : 128)) return false;
  return !isIPv4MappedIPv6(addr);
}

/** Go's netip.ParseAddr without zones (a prefix has none): the address bytes, or undefined. */
function parseAddr(s: string): number[] | undefined {
  for (const c of s) {
    if (c === ".") return parseIPv4(s);
    if (c === ":") return parseIPv6(s);
    if (c === "%") return undefined;
  }
  return undefined;
}

function parseIPv4(s: string): number[] | undefined {
  const fields = s.split(".");
  if (fields.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const f of fields) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(f)) return undefined;
    const n = Number(f);
    if (n > 255) return undefined;
    bytes.push(n);
  }
  return bytes;
}

const HEX = /^[0-9a-fA-F]$/;

function parseIPv6(input: string): number[] | undefined {
  if (input.includes("%")) return undefined; // a zone: never in a prefix
  const ip = new Array<number>(16).fill(0);
  let s = input;
  let ellipsis = -1;
  let i = 0;
  if (s.length >= 2 && s[0] === ":" && s[1] === ":") {
    ellipsis = 0;
    s = s.slice(2);
    if (s === "") return ip;
  }
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const c = s[off] ?? "";
      if (!HEX.test(c)) break;
      acc = acc * 16 + Number.parseInt(c, 16);
      if (off > 3 || acc > 0xffff) return undefined;
    }
    if (off === 0) return undefined;
    if (off < s.length && s[off] === ".") {
      // An IPv4 tail: it must take the last 32 bits, or follow a ::.
      if (ellipsis < 0 && i !== 12) return undefined;
      if (i + 4 > 16) return undefined;
      const v4 = parseIPv4(s);
      if (!v4) return undefined;
      ip.splice(i, 4, ...v4);
      s = "";
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s.length === 0) break;
    if (s[0] !== ":" || s.length === 1) return undefined;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return undefined;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return undefined;
  if (i < 16) {
    if (ellipsis < 0) return undefined;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j] ?? 0;
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    return undefined; // :: must stand for at least one group of zeros
  }
  return ip;
}

function isIPv4MappedIPv6(ip: number[]): boolean {
  return ip.length === 16 && ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
}
