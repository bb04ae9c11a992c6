/**
 * A static file server for the built site (localhost only): `npx tsx docs/build/serve.ts`
 * to read the docs locally, and the browser test's server. WebGPU needs a secure context,
 * which localhost is.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".wasm": "application/wasm", ".png": "image/png",
  ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
};

/** A running server: its base URL, the paths it answered 404 to, and `close`. */
export interface SiteServer { url: string; notFound: string[]; close(): Promise<void> }

/** Serves `dir` on localhost (port 0 = any free port). */
export async function serveSite(dir: string, port = 0): Promise<SiteServer> {
  const root = resolve(dir);
  const notFound: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    let file = normalize(join(root, path));
    if (file.startsWith(root) && existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!file.startsWith(root) || !existsSync(file)) {
      notFound.push(path);
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${actual}/`,
    notFound,
    close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const dir = fileURLToPath(new URL("../site/", import.meta.url));
  const s = await serveSite(dir, Number(process.env.PORT ?? 8080));
  console.log(`docs: serving ${dir} at ${s.url}`);
}
