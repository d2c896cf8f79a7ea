// Webhook delivery as the providers do it: an HTTP POST to the merchant's endpoint, retried
// until it answers 2xx (bounded here: 5 tries, 200 ms apart). Every delivery is recorded.
export function createDeliverer() {
  let url = null;
  let delivered = [];
  return {
    setUrl(u) { url = u; },
    reset() { delivered = []; },
    delivered: () => delivered,
    /** POSTs `body` (`type`: 'json' or 'form') with `headers`; resolves when a 2xx arrived or the tries ran out. */
    async send(body, { type = 'json', label, headers: extra = {}, sign } = {}) {
      if (!url) return;
      const record = { label, status: null };
      delivered.push(record);
      const text = type === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString();
      // `sign(text)`: headers computed over the exact bytes sent (Conekta's `digest`).
      const headers = { 'Content-Type': type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded', ...extra, ...(sign ? sign(text) : {}) };
      for (let i = 0; i < 5; i++) {
        try {
          const r = await fetch(url, { method: 'POST', headers, body: text, signal: AbortSignal.timeout(5000) });
          record.status = r.status;
          if (r.ok) return;
        } catch { record.status = 'network'; }
        await new Promise((ok) => setTimeout(ok, 200));
      }
    },
  };
}
