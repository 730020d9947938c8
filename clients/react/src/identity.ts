// Who the signed-in user is. The hooks need it to tell one's own messages from the others'
// (one's own send from another device is read, not unread) and to leave oneself out of
// "typing…". MissiveClient does not know it (the token is opaque to it), so the provider takes
// a `userId` prop or asks `rest.me()`.

import { Store } from './store.js';

export class Identity extends Store<string | null> {
  constructor(userId: string | null) {
    super(userId);
  }

  get userId(): string | null {
    return this.current;
  }

  set(userId: string | null): void {
    this.setState(userId);
  }
}
