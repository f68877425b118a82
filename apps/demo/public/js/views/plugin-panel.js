// The selected plugin: what it is, its config form, its params form, and the run button.
import { ApiError, api } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { jsonEditor, schemaForm } from '../schema-form.js';
import { sourceBadge } from './sidebar.js';
import { toast } from './toasts.js';

/** Forms per plugin, kept while their schemas stay the same, so edits survive switching. */
const cache = new Map();

/**
 * @param {any | undefined} plugin
 * @param {{ onJobStarted: (job: any) => void }} actions
 */
export function renderPluginPanel(plugin, actions) {
  const panel = byId('plugin-panel');
  if (plugin === undefined) {
    replaceChildren(panel, h('p', { class: 'empty' }, 'Pick a plugin on the left.'));
    return;
  }
  const key = JSON.stringify([
    plugin.config_schema,
    plugin.params_schema,
    plugin.streaming,
    plugin.version,
    plugin.description,
  ]);
  let entry = cache.get(plugin.id);
  if (entry === undefined || entry.key !== key) {
    entry = { key, element: build(plugin, actions) };
    cache.set(plugin.id, entry);
  }
  if (panel.firstChild !== entry.element) replaceChildren(panel, entry.element);
}

function build(plugin, actions) {
  // The plugin's own params schema (its manifest's, or its code's once loaded) makes the form.
  const params = plugin.params_schema
    ? schemaForm(plugin.params_schema, startingValues(plugin.params_schema), { name: 'param' })
    : jsonEditor({}, { name: 'param' });
  const config = plugin.config_schema
    ? schemaForm(plugin.config_schema, plugin.config ?? {}, { name: 'config' })
    : undefined;

  const stream = h('input', {
    type: 'checkbox',
    id: 'stream-toggle',
    'data-testid': 'stream-toggle',
    checked: plugin.streaming,
    disabled: !plugin.streaming,
  });
  const timeout = h('input', {
    type: 'number',
    id: 'timeout-input',
    min: 1,
    step: 1000,
    placeholder: 'none',
    'data-testid': 'timeout-input',
  });
  const runMessage = h('p', {
    class: 'form-message error',
    hidden: true,
    'data-testid': 'run-error',
  });
  const runButton = h(
    'button',
    { type: 'submit', class: 'button primary', id: 'run-button', 'data-testid': 'run-button' },
    '▶ Run',
  );

  const runForm = h(
    'form',
    {
      class: 'form-card',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        runMessage.hidden = true;
        const values = params.read();
        if (!values.ok) return;
        const body = { plugin: plugin.id, params: values.value, stream: stream.checked };
        if (timeout.value !== '') body.timeoutMs = Number(timeout.value);
        runButton.disabled = true;
        try {
          const { job } = await api.submitJob(body);
          actions.onJobStarted(job);
        } catch (error) {
          runMessage.hidden = false;
          runMessage.textContent = error.message;
        } finally {
          runButton.disabled = false;
        }
      },
    },
    h(
      'h3',
      null,
      'Params ',
      h(
        'small',
        null,
        plugin.params_schema
          ? 'from the plugin’s JSON Schema'
          : '(free JSON: this plugin declares no params schema)',
      ),
    ),
    params.element,
    h(
      'div',
      { class: 'run-bar' },
      h(
        'label',
        {
          class: 'checkbox',
          for: 'stream-toggle',
          title: plugin.streaming ? 'Show output as it is produced' : 'This plugin does not stream',
        },
        stream,
        'Stream output',
      ),
      h('label', { class: 'timeout', for: 'timeout-input' }, 'Timeout (ms)', timeout),
      runButton,
    ),
    runMessage,
  );

  const configMessage = h('p', {
    class: 'form-message',
    hidden: true,
    'data-testid': 'config-message',
  });
  const configCard = h(
    'form',
    {
      class: 'form-card',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        configMessage.hidden = true;
        const values = config.read();
        if (!values.ok) return;
        try {
          const result = await api.reloadPlugin(plugin.id, values.value);
          configMessage.className = 'form-message ok';
          configMessage.textContent =
            result.workers.length > 0
              ? `Applied: reloaded on ${result.workers.join(', ')}.`
              : 'Saved: the plugin is not loaded now; this config applies when a job loads it.';
        } catch (error) {
          configMessage.className = 'form-message error';
          configMessage.textContent = error.message;
        }
        configMessage.hidden = false;
      },
    },
    h('h3', null, 'Config ', h('small', null, 'from the plugin’s JSON Schema')),
    config?.element,
    h(
      'div',
      { class: 'run-bar' },
      h(
        'button',
        { type: 'submit', class: 'button', 'data-testid': 'apply-config' },
        'Apply and reload',
      ),
    ),
    configMessage,
  );
  const noConfig = h(
    'div',
    { class: 'form-card' },
    h('h3', null, 'Config'),
    h('p', { class: 'hint' }, 'This plugin has no config schema: it takes no config.'),
  );

  return h(
    'div',
    { 'data-plugin': plugin.id },
    h(
      'div',
      { class: 'plugin-header' },
      h(
        'div',
        null,
        h('h1', null, plugin.name),
        plugin.description ? h('p', null, plugin.description) : null,
        h(
          'div',
          { class: 'meta' },
          sourceBadge(plugin.source),
          plugin.version ? h('span', { class: 'badge' }, `v${plugin.version}`) : null,
          plugin.category ? h('span', { class: 'badge' }, plugin.category) : null,
          h(
            'span',
            { class: `badge${plugin.streaming ? ' streams' : ''}` },
            plugin.streaming ? 'streams output' : 'single result',
          ),
          plugin.location
            ? h('code', { title: 'Where the adapter found it' }, plugin.location)
            : null,
        ),
      ),
      h(
        'div',
        { class: 'plugin-actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'button small',
            'data-testid': 'reload-button',
            onclick: () => operate('reload', plugin),
          },
          '↻ Reload',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'button small',
            'data-testid': 'unload-button',
            onclick: () => operate('unload', plugin),
          },
          '⏏ Unload',
        ),
      ),
    ),
    h('div', { class: 'forms' }, runForm, config === undefined ? noConfig : configCard),
  );
}

/** What a form starts from: each property's first example, else its default. */
function startingValues(schema) {
  const values = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (Array.isArray(property?.examples) && property.examples.length > 0) {
      values[key] = property.examples[0];
    }
  }
  return values;
}

async function operate(operation, plugin) {
  try {
    const result =
      operation === 'reload'
        ? await api.reloadPlugin(plugin.id)
        : await api.unloadPlugin(plugin.id);
    const where = result.workers.join(', ');
    if (operation === 'reload') {
      toast(
        where
          ? `Reloaded ${plugin.id} on ${where}`
          : `${plugin.id} is not loaded on any worker: nothing to reload`,
      );
    } else {
      toast(
        where ? `Unloaded ${plugin.id} from ${where}` : `${plugin.id} was not loaded on any worker`,
      );
    }
  } catch (error) {
    toast(error instanceof ApiError ? error.message : String(error), 'error');
  }
}
