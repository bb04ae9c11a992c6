import { defineConfig } from "vitest/config";

/** `npm run test:long`: trainings too long for `npm test` (Fashion-MNIST baselines). */
export default defineConfig({
  test: {
    include: ["test/long/**/*.test.ts"],
    testTimeout: 3_600_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
