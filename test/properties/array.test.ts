import { propertySuite } from "./suite.ts";

propertySuite("array");
