// Plain Socket.IO 4 room-broadcast server: the comparison peer for Missive's
// benchmark. It stores nothing and prints nothing per message.
//
// Usage: node server.js [--port N]   (or PORT=N; default 0 = pick a free port)
// First line on stdout: `listening on <port>`.

import { createServer } from 'node:http';
import { Server } from 'socket.io';

function parsePort() {
  const argv = process.argv.slice(2);
  let value = process.env.PORT;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a === '-p') value = argv[++i];
    else if (a.startsWith('--port=')) value = a.slice('--port='.length);
    else if (/^\d+$/.test(a)) value = a;
  }
  const port = value === undefined || value === '' ? 0 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid port: ${value}`);
    process.exit(2);
  }
  return port;
}

const httpServer = createServer((req, res) => {
  res.writeHead(404);
  res.end();
});

const io = new Server(httpServer, {
  transports: ['websocket'], // websocket only: no HTTP long-polling
  serveClient: false,
  cors: { origin: '*' },
});

io.on('connection', (socket) => {
  // `join` (room name). If the client passes an acknowledgement callback it is
  // called once the socket is in the room, so a load client can wait for it.
  socket.on('join', (room, ack) => {
    if (typeof room === 'string' && room.length > 0) socket.join(room);
    if (typeof ack === 'function') ack(true);
  });
  socket.on('msg', (payload) => {
    if (payload && typeof payload.room === 'string') {
      // Broadcast to everybody else in the room, like a chat server.
      socket.to(payload.room).emit('msg', payload);
    }
  });
});

httpServer.listen(parsePort(), '127.0.0.1', () => {
  process.stdout.write(`listening on ${httpServer.address().port}\n`);
});

function shutdown() {
  io.close();
  httpServer.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
