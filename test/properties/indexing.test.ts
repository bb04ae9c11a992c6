import { propertySuite } from "./suite.ts";

propertySuite("indexing");
