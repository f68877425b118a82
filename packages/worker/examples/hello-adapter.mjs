// The smallest adapter: one built-in plugin, "greet". Real hosts use @plugwork/adapter-fs or
// @plugwork/adapter-npm; any module exporting a factory of an object with these methods works.
export function createAdapter() {
  let greeting;
  return {
    discoverPlugins: () => [{ name: 'greet', streaming: true, source: 'example' }],
    loadPlugin: (_plugin, config) => {
      greeting = config.greeting ?? 'Hi';
    },
    executePlugin: (_name, { name }) => ({ text: `${greeting}, ${name}!` }),
    async *executePluginStream(_name, { name }, { signal }) {
      for (const word of [greeting, ', ', name, '!']) {
        if (signal.aborted) return;
        yield word;
      }
    },
    reloadPlugin: (_name, config) => {
      if (config) greeting = config.greeting ?? 'Hi';
    },
    unloadPlugin: () => {
      greeting = undefined;
    },
    checkStreamingSupport: () => true,
  };
}
