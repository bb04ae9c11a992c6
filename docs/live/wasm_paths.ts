/**
 * Tells tfjs-backend-wasm where its .wasm files are (next to the bundle). Imported before
 * gradus, whose backend module starts a backend as it loads.
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

setWasmPaths(new URL("./", import.meta.url).href);
