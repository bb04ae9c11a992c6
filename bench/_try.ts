import "@tensorflow/tfjs-layers";
import { benchMlp } from "./mlp.ts";
const r = await benchMlp({ warmup: 2, iters: 5 }, { warmup: 1, iters: 3 });
console.log(JSON.stringify({ ...r, extra: { firstLosses: r.extra!.firstLosses } }, null, 1));
