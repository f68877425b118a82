// Never imported: discovery refuses this folder because its package.json's `plugwork` field is
// invalid ("streaming" must be true or false, not "sometimes"). It is here on purpose, so the
// demo shows what a broken plugin looks like: an INVALID_MANIFEST diagnostic naming the folder
// and the field, while every other plugin loads as usual. Set "streaming": false and (watch mode
// is on in the demo) the plugin appears without a restart.
import { definePlugin } from '@plugwork/protocol';

export default definePlugin({
  name: 'broken-example',
  description: 'Echoes its params back, once its manifest is fixed.',
  execute: (params) => ({ echo: params }),
});
