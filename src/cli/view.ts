/**
 * `omnifold view OUT [--port N]`: serves the static weights viewer (viewer/, built into
 * dist/viewer/) and OUT/weights.arrow, with the weights files it links, on 127.0.0.1 only,
 * prints the page's URL and stays up until Ctrl-C. The page computes every histogram
 * itself; the server only hands out these files, to GET and HEAD requests from this
 * machine (a request naming another host is refused, so other sites cannot read it
 * through DNS rebinding).
 */
import { InputError, readLinkedWeightsFiles, readWeightsFile } from '../index.js';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = 'usage: omnifold view OUT_DIR|WEIGHTS.arrow [--port N]   (N: 0 for any free port, the default)';

/** dist/viewer/, beside dist/src/ (this file is dist/src/cli/view.js). */
const VIEWER_DIR = fileURLToPath(new URL('../../viewer/', import.meta.url));
/** The viewer's build script, in a source checkout only. */
const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/build_viewer.mjs', import.meta.url));
const VIEWER_FILES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/viewer.js': 'viewer.js',
};
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.arrow': 'application/vnd.apache.arrow.file',
};

/** A running viewer server. */
export interface ViewerServer {
  /** The page with the weights file opened, e.g. `http://127.0.0.1:41234/?file=weights.arrow`. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * The viewer's files: rebuilt from viewer/ when this is a source checkout with the build
 * script (so the page always matches the sources), else the shipped dist/viewer/.
 */
export async function viewerDir(): Promise<string> {
  if (existsSync(BUILD_SCRIPT) && existsSync(join(dirname(BUILD_SCRIPT), '..', 'viewer', 'viewer.ts'))) {
    const { buildViewer } = (await import(pathToFileURL(BUILD_SCRIPT).href)) as {
      buildViewer(outDir?: string): Promise<{ outDir: string }>;
    };
    await buildViewer(VIEWER_DIR);
  }
  for (const f of new Set(Object.values(VIEWER_FILES))) {
    if (!existsSync(join(VIEWER_DIR, f)))
      throw new Error(`viewer file ${join(VIEWER_DIR, f)} must exist; got none (run npm run build:viewer)`);
  }
  return VIEWER_DIR;
}

/** The weights file of `target`: OUT/weights.arrow for a folder, else the file itself. */
function weightsPath(target: string): string {
  if (!existsSync(target)) throw new InputError(`view target ${target} must exist; got none`);
  if (statSync(target).isDirectory()) {
    const path = join(target, 'weights.arrow');
    if (!existsSync(path))
      throw new InputError(`view folder ${target} must hold weights.arrow (an omnifold output); got none`);
    return path;
  }
  return target;
}

/**
 * Serves the viewer and the weights file `weights` (and the weights files it links, from its
 * folder) on 127.0.0.1:`port` (0: any free port).
 */
export async function serveViewer(options: {
  weights: string;
  port?: number;
  viewerDir?: string;
  linked?: readonly string[];
}): Promise<ViewerServer> {
  const dir = options.viewerDir ?? (await viewerDir());
  const name = basename(options.weights);
  const data = new Map<string, string>([[`/${encodeURIComponent(name)}`, options.weights]]);
  for (const l of options.linked ?? []) data.set(`/${encodeURIComponent(l)}`, join(dirname(options.weights), l));
  let port = options.port ?? 0;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : `${text}\n`);
    };
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`)
      return send(403, `host must be 127.0.0.1:${port}; got ${JSON.stringify(host)}`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, `method must be GET or HEAD; got ${req.method}`);
    const path = new URL(req.url ?? '/', `http://127.0.0.1:${port}`).pathname;
    const file = VIEWER_FILES[path] !== undefined ? join(dir, VIEWER_FILES[path]) : data.get(path);
    if (file === undefined) return send(404, `${path}: not served (the viewer serves only its page and ${name})`);
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${error.message.split('\n')[0]}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new InputError(
          `--port ${options.port ?? 0} must be free on 127.0.0.1; got ${error.code ?? error.message.split('\n')[0]}`,
        ),
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?file=${encodeURIComponent(name)}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const OPTIONS = {
  port: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `omnifold view` with `argv` (after the subcommand); resolves to the exit code once stopped (Ctrl-C). */
export async function runView(argv: string[]): Promise<number> {
  let viewer: ViewerServer;
  try {
    const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1)
      throw new InputError(
        `view must be given one output folder or weights file; got ${positionals.length} (${USAGE})`,
      );
    const port = values.port === undefined ? 0 : Number(values.port);
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
      throw new InputError(`--port must be an integer from 0 to 65535; got ${JSON.stringify(values.port)}`);
    const weights = weightsPath(positionals[0]);
    // read once here, so a file the page could not open fails now, in one line
    const file = await readWeightsFile(weights);
    const linked = await readLinkedWeightsFiles(weights, file);
    viewer = await serveViewer({ weights, port, linked: linked.map((l) => basename(l.path)) });
    process.stdout.write(
      `serving ${weights} (${file.nRows} events${linked.length ? `, ${linked.length} linked file${linked.length === 1 ? '' : 's'}` : ''}) on 127.0.0.1 only\n` +
        `open ${viewer.url}\n` +
        'press Ctrl-C to stop\n',
    );
  } catch (error) {
    const usage = error instanceof InputError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`omnifold: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await viewer.close();
  process.stdout.write('stopped\n');
  return 0;
}
