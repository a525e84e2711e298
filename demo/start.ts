// `npm start`: the emulator, the reference backend and the demo page, on loopback, offline.
import { startDemo } from './server';

const demo = await startDemo();
const mode = demo.emulator ? `local Xero emulator at ${demo.emulator.url}` : 'the real Xero (XERO_CLIENT_ID is set)';
console.log(`\n  CareVision demo portal: ${demo.url}\n  Xero: ${mode}\n  Ctrl+C stops it.\n`);

const stop = () => {
  void demo.close().finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
