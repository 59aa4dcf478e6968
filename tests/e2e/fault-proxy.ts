// A small HTTP proxy between the app and `district serve` that fails on
// purpose: the app is loaded through it (its origin is the proxy's), and each
// upload of a bundle (`POST /api/v1/bundles`) can be answered with a server
// error, forwarded and then cut before the answer reaches the phone, or held
// until the test lets it go. Everything else passes through untouched.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What the proxy does with the next upload. */
export type Fault =
  /** Answer 500 with a plain text body; nothing reaches the server. */
  | 'error500'
  /** Forward it, let the server answer, then cut the phone's connection. */
  | 'dropAfterCommit'
  /** Forward it only when `release()` is called. */
  | 'hold';

export class FaultProxy {
  private server: Server;
  private faults: Fault[] = [];
  private sticky?: Fault;
  private held: (() => void)[] = [];
  /** Every upload seen, with the status the server gave (0: never forwarded). */
  readonly uploads: { status: number; fault?: Fault }[] = [];

  private constructor(private target: number) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(listen: number, target: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(listen, '127.0.0.1', resolve));
    return proxy;
  }

  /** The next uploads meet these faults, in order. */
  next(...faults: Fault[]) {
    this.faults.push(...faults);
  }

  /** Every upload meets `fault` until `clear()`. */
  always(fault: Fault) {
    this.sticky = fault;
  }

  /** Forgets faults not met yet. */
  clear() {
    this.faults = [];
    this.sticky = undefined;
  }

  /** Lets held uploads go on to the server. */
  release() {
    const held = this.held.splice(0);
    held.forEach((go) => go());
  }

  /** Resolves once an upload is being held. */
  async holding(): Promise<void> {
    while (this.held.length === 0) await new Promise((r) => setTimeout(r, 50));
  }

  async close() {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upload = req.method === 'POST' && req.url === '/api/v1/bundles';
      const fault = upload ? this.faults.shift() ?? this.sticky : undefined;
      if (upload && fault === 'error500') {
        this.uploads.push({ status: 0, fault });
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      const forward = () => this.forward(req, body, res, upload, fault);
      if (upload && fault === 'hold') this.held.push(forward);
      else forward();
    });
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse, upload: boolean, fault?: Fault) {
    const out = request(
      { host: '127.0.0.1', port: this.target, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c) => chunks.push(c));
        answer.on('end', () => {
          if (upload) this.uploads.push({ status: answer.statusCode ?? 0, fault });
          if (fault === 'dropAfterCommit') {
            // The server committed and answered; the phone never hears it.
            req.socket.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
        });
      },
    );
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
    });
    out.end(body);
  }
}
