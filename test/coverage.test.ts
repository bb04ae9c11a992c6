import { expect, test } from "vitest";
import "../src/index.ts";
import { missingCases } from "./primitive_cases.ts";

test("every registered primitive has a cross-backend case", () => {
  expect(missingCases()).toEqual([]);
});
