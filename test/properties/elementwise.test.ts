import { propertySuite } from "./suite.ts";

propertySuite("elementwise");
