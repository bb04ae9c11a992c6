import * as tf from "@tensorflow/tfjs-core";
import "../src/index.ts";
console.log(tf.getBackend(), await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"), await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"));
const b = tf.backend() as any; console.log(Object.keys(b.wasm ?? {}).filter(k=>/thread|pthread|PThread/i.test(k)).slice(0,5));
