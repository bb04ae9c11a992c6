import { propertySuite } from "./suite.ts";

propertySuite("higher-order");
