import { definePlugin } from '@plugwork/protocol';

export default definePlugin({
  name: 'greet',
  execute: ({ name }) => ({ text: `Hello, ${name}!` }),
  async *stream({ name }) {
    for (const word of ['Hello', ', ', name, '!']) yield word;
  },
});
