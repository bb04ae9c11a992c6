/**
 * Every registered primitive's domain declaration, collected from domains/*.ts (one file
 * per family, each value range and tolerance derived there). coverage.test.ts fails for a
 * registered primitive that has none, so nothing escapes the property suite.
 */
import type { Domain } from "./spec.ts";
import { ELEMENTWISE_DOMAINS } from "./domains/elementwise.ts";
import { ARRAY_DOMAINS } from "./domains/array.ts";
import { INDEXING_DOMAINS } from "./domains/indexing.ts";
import { HIGHER_ORDER_DOMAINS } from "./domains/higher_order.ts";

export const DOMAINS: Record<string, Domain> = {
  ...ELEMENTWISE_DOMAINS,
  ...ARRAY_DOMAINS,
  ...INDEXING_DOMAINS,
  ...HIGHER_ORDER_DOMAINS,
};
