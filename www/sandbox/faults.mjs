// Fault injection for the merchant server and the provider scripts (used by the test suite).
// A fault applies to the next `times` matching requests; with `rate` (0–1), to that share of them
// at random (the load bench's scattered provider faults).
//   { target: 'merchant' | 'status' | 'script:bamboo' | …, kind: 'status' | 'drop' | 'delay' | 'garbage' | 'nodefine', status?, delayMs?, body?, retryAfter?, times?, rate?, path? }
// `path` narrows a script fault to scripts whose path contains it (e.g. an iframe's own script),
// and a provider fault to the provider calls whose path contains it (Conekta's
// `/payment_sources`, a saved card's removal: `/PaymentProfileDelete`, `/Token/Cancel`); a
// provider fault without `path` applies to the charge calls only.
export function createFaults() {
  let list = [];
  /** `at`: the provider call, `{ path, charge }` (`charge`: it is one of the charge calls). */
  const take = (target, at) => {
    const where = (x) => (x.path ? !!at && at.path.includes(x.path) : !at || at.charge);
    const f = list.find((x) => x.target === target && x.times > 0 && where(x) && (x.rate === undefined || Math.random() < x.rate));
    if (f) { f.times -= 1; f.applied += 1; }
    return f;
  };
  return {
    reset() { list = []; },
    set(cfg) { list = (Array.isArray(cfg) ? cfg : [cfg]).map((f) => ({ times: 1, ...f, applied: 0 })); },
    /** The faults set, each with how many requests it `applied` to. */
    report: () => list.map((f) => ({ ...f })),
    take,
    /** Applies a fault to a merchant response; returns true when it answered (or dropped) the request. */
    async apply(target, res, at) {
      const f = take(target, at);
      if (!f) return false;
      if (f.kind === 'delay') { await new Promise((r) => setTimeout(r, f.delayMs ?? 1000)); return false; }
      if (f.kind === 'drop') { res.socket?.destroy(); return true; }
      if (f.kind === 'status') {
        const headers = { 'Content-Type': 'application/json' };
        if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
        res.writeHead(f.status ?? 500, headers);
        res.end(f.body ?? '{"error":"injected"}');
        return true;
      }
      if (f.kind === 'garbage') { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(f.body ?? '<html>oops'); return true; }
      return false;
    },
    /** Script faults: 404, a script that never defines its global, or a slow script. */
    async handleScript(req, res, url) {
      const m = url.pathname.match(/\/(bamboo|conekta|lyra)\/.*\.js$/);
      if (!m) return false;
      const name = { bamboo: 'bamboo', conekta: 'conekta', lyra: 'kr' }[m[1]];
      const f = list.find((x) => x.target === `script:${name}` && x.times > 0 && (!x.path || url.pathname.includes(x.path)));
      if (!f || url.pathname.includes('/Checkout/')) return false;
      f.times -= 1;
      if (f.kind === 'delay') { await new Promise((r) => setTimeout(r, f.delayMs ?? 1000)); return false; }
      if (f.kind === 'status') { res.writeHead(f.status ?? 404, { 'Content-Type': 'text/plain' }); res.end('missing'); return true; }
      if (f.kind === 'nodefine') { res.writeHead(200, { 'Content-Type': 'text/javascript' }); res.end('/* loads, defines nothing */'); return true; }
      return false;
    },
  };
}
