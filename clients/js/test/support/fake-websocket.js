// A WebSocket the test drives: it opens, receives frames and drops when told to, and records
// what the client sent.

export function fakeWebSockets() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = undefined;
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error('send on a socket that is not open');
      this.sent.push(JSON.parse(data));
    }

    close(code, reason) {
      if (this.readyState === 3) return;
      this.closedWith = { code, reason };
      this.readyState = 3;
      const onclose = this.onclose;
      queueMicrotask(() => onclose?.({ code: code ?? 1005, reason: reason ?? '' }));
    }

    // ---- The test's side ----

    open() {
      this.readyState = 1;
      this.onopen?.({});
    }

    receive(frame) {
      this.onmessage?.({ data: JSON.stringify(frame) });
    }

    /** The server (or the network) closes the socket. */
    drop(code = 1006) {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code, reason: '' });
    }

    /** Frames sent with this action. */
    actions(action) {
      return this.sent.filter((f) => f.action === action);
    }

    last(action) {
      return this.actions(action).at(-1);
    }

    get token() {
      return new URL(this.url).searchParams.get('token');
    }
  }
  return { FakeWebSocket, sockets };
}
