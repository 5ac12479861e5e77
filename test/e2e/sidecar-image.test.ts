// The logging sidecar's image (make sidecar-image, operator/image/build-sidecar.ts), unpacked by
// umoci, not by our own code: it runs as nonroot, holds the static collector and its notices and
// nothing else (no shell, no libc), and its entrypoint, run from the image's root filesystem
// (chroot, as a container runtime would, minus the namespaces) with a configuration that
// renderCollectorConfig rendered, answers its health check, takes a block's span into its
// persisted queue, and stops on SIGTERM. The chart hands the image to the operator by digest.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { elfDependencies } from "../../operator/image/elf.ts";
import {
  SIDECAR_BINARY_PATH,
  SIDECAR_EXPOSED_PORTS,
  SIDECAR_LICENSES,
  sidecarEntrypoint,
  USER,
} from "../../operator/image/image-config.ts";
import { loadConfig } from "../../operator/src/config.ts";
import {
  DEFAULT_PORTS,
  DEFAULT_STORAGE_DIR,
  HEALTH_PATH,
  renderCollectorConfig,
  SIDECAR_ARGS,
  SIDECAR_CONFIG_PATH,
} from "../../operator/src/logboek/collector-config.ts";
import { newSpanId, traceparent, writeSpans } from "../logging-sidecar/otlp.ts";
import { freePort, sumMetric } from "../logging-sidecar/sidecar.ts";
import { waitUntil } from "../support/cluster.ts";
import {
  type ImageConfig,
  type RuntimeConfig,
  runEntrypoint,
  type UnpackedImage,
  unpackImage,
  walk,
} from "../support/oci-image.ts";

const ARCHIVE = "dist/aihub-otelcol.oci.tar";
const LOG_DIR = "/var/log/aihub";

let work = "";
let rootfs = "";
let procMounted = false;
let runtime: RuntimeConfig;
let image: ImageConfig;
let tags: string[];
let digest = "";
let unpacked: UnpackedImage;

beforeAll(() => {
  unpacked = unpackImage(ARCHIVE, "sidecar-image");
  ({ work, rootfs, runtime, image, tags, digest } = unpacked);
});

afterAll(() => {
  // Never remove the tree while /proc is mounted in it (lazily: the collector may still be exiting).
  if (procMounted) execFileSync("umount", ["--lazy", join(rootfs, "proc")]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the logging sidecar's image", () => {
  it("runs aihub-otelcol as nonroot (65532), labelled, with the ports of the rendered configuration", () => {
    expect(image).toMatchObject({ os: "linux", architecture: "amd64" });
    expect(image.config.User).toBe(`${USER.uid}:${USER.gid}`);
    expect(image.config.Entrypoint).toEqual(sidecarEntrypoint());
    expect(image.config.Cmd ?? []).toEqual([]);
    expect(Object.keys(image.config.ExposedPorts ?? {}).sort()).toEqual([...SIDECAR_EXPOSED_PORTS].sort());
    expect([...SIDECAR_EXPOSED_PORTS].sort()).toEqual(
      [`${DEFAULT_PORTS.health}/tcp`, `${DEFAULT_PORTS.metrics}/tcp`].sort(),
    );
    expect(tags).toEqual([image.config.Labels["org.opencontainers.image.version"]]);
    expect(image.config.Labels).toMatchObject({
      "org.opencontainers.image.title": "aihub-otelcol",
      "org.opencontainers.image.licenses": SIDECAR_LICENSES,
      "org.opencontainers.image.source": expect.stringMatching(/^https:\/\//),
      "org.opencontainers.image.version": expect.stringMatching(/^\d+\.\d+\.\d+/),
      "org.opencontainers.image.description": expect.stringMatching(/OpenTelemetry Collector v\d+\.\d+\.\d+/),
    });
    expect(runtime.process.user).toMatchObject({ uid: USER.uid, gid: USER.gid });
    expect(runtime.process.args).toEqual(sidecarEntrypoint());
  });

  it("holds the static binary, its notices, /etc/passwd and /etc/group, /tmp, owned by root, and nothing else", () => {
    const entries = walk(rootfs);
    expect(entries.filter((e) => !e.st?.isDirectory()).map((e) => e.path)).toEqual([
      "etc/group",
      "etc/passwd",
      "usr/bin/aihub-otelcol",
      "usr/share/doc/aihub-otelcol/LICENSE",
      "usr/share/doc/aihub-otelcol/NOTICE",
    ]);
    for (const shell of ["bin/sh", "usr/bin/sh", "bin/bash", "bin/dash", "bin/busybox"])
      expect(existsSync(join(rootfs, shell)), shell).toBe(false);
    expect(entries.filter((e) => e.st?.uid !== 0 || e.st?.gid !== 0).map((e) => e.path)).toEqual([]);
    expect((lstatSync(join(rootfs, "tmp")).mode & 0o7777).toString(8)).toBe("1777");
    expect((lstatSync(join(rootfs, SIDECAR_BINARY_PATH)).mode & 0o7777).toString(8)).toBe("755");
    // No loader and no libraries: it must not need any.
    expect(elfDependencies(readFileSync(join(rootfs, SIDECAR_BINARY_PATH)))).toEqual({ needed: [] });
    expect(readFileSync(join(rootfs, "etc/passwd"), "utf8")).toContain(`nonroot:x:${USER.uid}:${USER.gid}:`);
    expect(readFileSync(join(rootfs, "usr/share/doc/aihub-otelcol/LICENSE"), "utf8")).toContain(
      "Apache License\n                           Version 2.0",
    );
    const notice = readFileSync(join(rootfs, "usr/share/doc/aihub-otelcol/NOTICE"), "utf8");
    expect(notice).toMatch(/go\.opentelemetry\.io\/collector\/otelcol +v\d+\.\d+\.\d+/);
    expect(notice).toContain("EUPL-1.2");
    // The build machine's paths (the local replacement of logboekrules) stay out of it.
    expect(notice).not.toContain(process.cwd());
  });

  it("answers its health check from its root filesystem (chroot) as 65532 with the rendered configuration, queues a block's span, stops on SIGTERM", async () => {
    const [otlpGrpc, otlpHttp, health, metrics] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    // What the pod gives the container: the ConfigMap's configuration, the storage volume
    // (writable by the sidecar), the block's log directory, and /proc (a runtime mounts it; the
    // memory limiter reads the memory limit from it).
    const config = renderCollectorConfig({
      resource: {
        municipalityCode: "0363",
        tenant: "amsterdam",
        block: "transcribe",
        version: "1.0.0",
        activation: "a",
      },
      activities: { transcribe: "register-17" },
      storageDir: DEFAULT_STORAGE_DIR,
      logDir: LOG_DIR,
      ports: { otlpGrpc, otlpHttp, health, metrics },
    });
    const configPath = join(rootfs, SIDECAR_CONFIG_PATH);
    mkdirSync(join(configPath, ".."), { recursive: true });
    writeFileSync(configPath, config);
    mkdirSync(join(rootfs, DEFAULT_STORAGE_DIR), { recursive: true });
    chownSync(join(rootfs, DEFAULT_STORAGE_DIR), USER.uid, USER.gid);
    mkdirSync(join(rootfs, LOG_DIR), { recursive: true });
    mkdirSync(join(rootfs, "proc"));
    execFileSync("mount", ["-t", "proc", "proc", join(rootfs, "proc")]);
    procMounted = true;
    const storage = DEFAULT_STORAGE_DIR.slice(1);
    const snapshot = () =>
      walk(rootfs)
        .filter((e) => e.path !== storage && !e.path.startsWith(`${storage}/`))
        .map((e) => `${e.path} ${e.st?.mode} ${e.st?.size} ${e.st?.mtimeMs}`)
        .sort();
    const before = snapshot();

    // Only the environment the image's config gives: nothing of this machine's leaks in.
    const proc = runEntrypoint(unpacked, SIDECAR_ARGS);
    let output = "";
    proc.stdout?.on("data", (c) => {
      output += c;
    });
    proc.stderr?.on("data", (c) => {
      output += c;
    });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    try {
      await waitUntil(`${HEALTH_PATH} answering 200`, async () => {
        if (proc.exitCode !== null) throw new Error(`the sidecar exited with ${proc.exitCode}:\n${output}`);
        const res = await fetch(`http://127.0.0.1:${health}${HEALTH_PATH}`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        return res.status === 200 ? true : undefined;
      });
      // chroot execs the entrypoint: the process is the collector, as the image's user.
      const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
      expect(status).toMatch(new RegExp(`^Uid:\\s+${USER.uid}\\s+${USER.uid}\\s`, "m"));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${USER.gid}\\s+${USER.gid}\\s`, "m"));
      expect(readFileSync(`/proc/${proc.pid}/cmdline`, "utf8").split("\0")[0]).toBe(SIDECAR_BINARY_PATH);

      // A block's span: acknowledged once it is in the persisted queue (no Logboek configured, so
      // it stays there), through the logboekrules connector to the records stream.
      const { traceId, parentSpanId } = traceparent();
      const now = BigInt(Date.now()) * 1_000_000n;
      await writeSpans(
        `http://127.0.0.1:${otlpHttp}/v1/traces`,
        [
          {
            traceId,
            parentSpanId,
            spanId: newSpanId(),
            name: "transcribe",
            startTimeUnixNano: now,
            endTimeUnixNano: now + 1_000_000n,
            attributes: { "dpl.core.processing_activity_id": "transcribe" },
          },
        ],
        { deadline: Date.now() + 30_000 },
      );
      await waitUntil("the span counted in the records stream", async () => {
        const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
        return sumMetric(text, "otelcol_logboek_records", { signal: "traces", stream: "records" }) === 1
          ? true
          : undefined;
      });
      expect(readdirSync(join(rootfs, DEFAULT_STORAGE_DIR))).toEqual(
        expect.arrayContaining(["exporter_otlp_grpc_logboek_traces"]),
      );

      proc.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain("Shutdown complete.");
      // It wrote only on its storage volume: the chart's read-only root filesystem suits it.
      expect(snapshot()).toEqual(before);
    } finally {
      proc.kill("SIGKILL");
    }
  });
});

describe("the chart", () => {
  const helm = (...args: string[]) => spawnSync("helm", args, { encoding: "utf8", timeout: 60_000 });

  it("passes the sidecar image to the operator by digest, which the operator accepts, and refuses a tag", () => {
    const repository = "registry.example:5000/aihub/aihub-otelcol";
    const rendered = helm(
      "template",
      "aihub",
      "charts/aihub",
      "--set",
      `logSidecarImage.repository=${repository}`,
      "--set",
      `logSidecarImage.digest=${digest}`,
    );
    expect(rendered.status, rendered.stderr).toBe(0);
    const flag = `--log-sidecar-image=${repository}@${digest}`;
    expect(rendered.stdout).toContain(`- ${flag}\n`);
    expect(loadConfig([flag], {}).logSidecarImage).toBe(`${repository}@${digest}`);

    const bad = helm("template", "aihub", "charts/aihub", "--set", "logSidecarImage.digest=0.1.0");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("at '/logSidecarImage/digest': '0.1.0' does not match pattern");
  });
});
