import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          // Property tests and tests that start a program take a few seconds on a quiet
          // 2-core machine and four times that when its CPU is slow (seen in CI runs):
          // vitest's default of 5 s fails them there without anything being wrong.
          testTimeout: 60_000,
          include: [
            "operator/**/*.test.ts",
            "cdk/**/*.test.ts",
            "bench/**/*.test.ts",
            "test/support/**/*.test.ts",
            "test/controlplane/**/*.test.ts",
            "plugin/**/*.test.ts",
            "portal/**/*.test.ts",
          ],
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          globalSetup: ["test/controlplane/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One control plane for the whole run; two files at a time suit a 2-core machine.
          maxWorkers: 2,
        },
      },
    ],
  },
});
