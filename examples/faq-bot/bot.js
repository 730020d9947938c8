// A tiny FAQ chatbot for Missive: a bot (its API key) and a webhook receiver (message.created).
// It verifies each delivery (Standard Webhooks, as in docs/integrations.md), answers 204 at once,
// then, for a question its FAQ knows, replies in that conversation as the bot. Node >= 20, no
// dependency. Run it: MISSIVE_URL=… MISSIVE_BOT_KEY=mbk.… MISSIVE_WEBHOOK_SECRET=whsec_… PORT=8080 node bot.js

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/** What the bot knows: keywords (the start of a word, accents ignored) in French and English. */
const FAQ = [
  {
    fr: ['horaire', 'ouvert'],
    en: ['hours', 'open'],
    answer: {
      fr: 'Nous sommes ouverts du mardi au samedi, de 9 h à 19 h.',
      en: 'We are open Tuesday to Saturday, 9 am to 7 pm.',
    },
  },
  {
    fr: ['livraison', 'livrez', 'livrer'],
    en: ['deliver', 'shipping'],
    answer: {
      fr: 'Nous livrons en ville en 24 h ; la livraison est offerte dès 50 €.',
      en: 'We deliver in town within 24 hours; delivery is free from €50.',
    },
  },
  {
    fr: ['tarif', 'prix', 'combien'],
    en: ['price', 'cost', 'how much'],
    answer: {
      fr: 'Nos tarifs sont sur la page « Boutique » ; les bouquets commencent à 25 €.',
      en: 'Our prices are on the "Shop" page; bouquets start at €25.',
    },
  },
];

/** The FAQ's answer to `text` (in the language of the keyword found), or null. */
export function answer(text) {
  const words = ` ${text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')}`;
  for (const entry of FAQ) {
    for (const lang of ['fr', 'en']) {
      if (entry[lang].some((keyword) => words.includes(` ${keyword}`))) return entry.answer[lang];
    }
  }
  return null;
}

/** Whether a delivery is Missive's: a `v1,` signature of `{id}.{timestamp}.{body}`, recent. */
function verify(secret, headers, body) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.`).update(body).digest();
  const signed = String(headers['webhook-signature'] ?? '')
    .split(' ') // two signatures during a secret's rotation
    .map((s) => Buffer.from(s.replace(/^v1,/, ''), 'base64'))
    .some((s) => s.length === expected.length && timingSafeEqual(s, expected));
  // Written so that a missing or garbled timestamp (NaN) fails too: replays are refused.
  return Boolean(id) && signed && Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
}

/**
 * Starts the bot: resolves once it listens, with `port`, `botId`, `settled()` (resolves when
 * the replies under way are sent) and `close()`.
 */
export async function startBot({ url, botKey, webhookSecret, port = 8080, host }) {
  const secret = Buffer.from(webhookSecret.replace(/^whsec_/, ''), 'base64');
  const api = (path, init = {}) =>
    fetch(new URL(path, url), {
      ...init,
      headers: { authorization: `Bearer ${botKey}`, 'content-type': 'application/json' },
    });

  // Who the bot is: the webhook hears its own messages too, which it must not answer.
  const me = await api('/v1/me');
  if (!me.ok) throw new Error(`GET /v1/me answered ${me.status}: is MISSIVE_BOT_KEY a bot's key?`);
  const botId = (await me.json()).user.id;

  async function handle(webhookId, event) {
    if (event.type !== 'message.created') return;
    const { message } = event.data;
    if (message.kind !== 'user' || message.senderId === botId || !message.body) return;
    const reply = answer(message.body);
    if (!reply) return;
    // The id of the question's event names the reply: an event delivered again (or to another
    // instance of the bot) is answered once, Missive returning the first reply (200).
    const sent = await api(`/v1/conversations/${message.conversationId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ body: reply, clientMessageId: `faq-${webhookId}` }),
    });
    // 404: the bot is not in that conversation (the webhook hears the whole tenant): not ours.
    if (!sent.ok && sent.status !== 404) {
      console.error(`faq-bot: could not answer in ${message.conversationId}: ${sent.status} ${await sent.text()}`);
    }
  }

  const seen = new Set(); // the webhook ids taken (a retry of one is dropped)
  const working = new Set(); // the replies under way
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks); // the bytes as signed
      if (req.method !== 'POST' || !verify(secret, req.headers, body)) return res.writeHead(401).end();
      res.writeHead(204).end(); // at once: the work comes after
      const id = req.headers['webhook-id'];
      if (seen.has(id)) return;
      seen.add(id);
      if (seen.size > 10_000) seen.delete(seen.values().next().value); // the oldest
      const work = Promise.resolve()
        .then(() => handle(id, JSON.parse(body.toString('utf8'))))
        .catch((error) => console.error(`faq-bot: event ${id}: ${error.message}`))
        .finally(() => working.delete(work));
      working.add(work);
    });
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));

  const settled = async () => {
    while (working.size > 0) await Promise.all(working);
  };
  return {
    port: server.address().port,
    botId,
    settled,
    async close() {
      server.close();
      server.closeAllConnections(); // Missive keeps its connections alive
      await settled();
    },
  };
}

// `node bot.js`: configured from the environment.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { MISSIVE_URL = 'http://127.0.0.1:3000', MISSIVE_BOT_KEY, MISSIVE_WEBHOOK_SECRET, PORT = '8080' } = process.env;
  if (!MISSIVE_BOT_KEY || !MISSIVE_WEBHOOK_SECRET) {
    console.error('Set MISSIVE_BOT_KEY (mbk.…) and MISSIVE_WEBHOOK_SECRET (whsec_…); see README.md.');
    process.exit(2);
  }
  const bot = await startBot({
    url: MISSIVE_URL,
    botKey: MISSIVE_BOT_KEY,
    webhookSecret: MISSIVE_WEBHOOK_SECRET,
    port: Number(PORT),
  });
  console.log(`FAQ bot "${bot.botId}" listening on port ${bot.port}, answering through ${MISSIVE_URL}`);
}
