// A DOM for react-dom in Node (happy-dom), and React's "act environment" flag, which makes
// `act()` flush renders and effects before it returns. Imported first by every test file.

import { Window } from 'happy-dom';

const window = new Window({ url: 'http://localhost/' });
globalThis.window = window;
globalThis.document = window.document;
// Node 21 has a global navigator; Node 20 does not, and react-dom reads its userAgent.
if (globalThis.navigator === undefined) globalThis.navigator = window.navigator;
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

/** Frees happy-dom's own timers so that the test process can end. */
export async function closeDom() {
  await window.happyDOM.close();
}
