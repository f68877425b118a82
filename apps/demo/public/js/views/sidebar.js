// The plugin list and the diagnostics of plugins that could not be offered.
import { byId, h, replaceChildren } from '../dom.js';

export function sourceBadge(source) {
  return h('span', { class: `badge source-${source}`, title: sourceTitle(source) }, source);
}

const SOURCE_TITLES = {
  fs: 'A folder in a plugins directory (adapter-fs)',
  npm: 'An installed npm package (adapter-npm)',
  python: 'A Python plugin folder in a plugins directory, run by Python workers',
  redis: 'Offered by the plugwork nodes on Redis (BullMQ)',
};

function sourceTitle(source) {
  return SOURCE_TITLES[source] ?? source;
}

const SIDE_BY_SIDE = ['adapter', 'adapter', 'two adapters side by side', 'three side by side'];

/**
 * @param {{ plugins: any[], diagnostics: any[], sources: string[] }} catalog
 * @param {string | undefined} selected plugin id
 * @param {(id: string) => void} onSelect
 */
export function renderSidebar(catalog, selected, onSelect) {
  replaceChildren(
    byId('sources'),
    catalog.sources.map((source) => sourceBadge(source)),
    h('span', null, SIDE_BY_SIDE[catalog.sources.length] ?? 'side by side'),
  );
  byId('plugin-count').textContent = String(catalog.plugins.length);
  replaceChildren(
    byId('plugin-list'),
    catalog.plugins.length === 0 ? h('li', { class: 'empty' }, 'No plugins found.') : null,
    catalog.plugins.map((plugin) =>
      h(
        'li',
        {
          class: 'plugin-item',
          'aria-current': plugin.id === selected ? 'true' : 'false',
          'data-plugin': plugin.id,
        },
        h(
          'button',
          { type: 'button', onclick: () => onSelect(plugin.id) },
          h(
            'div',
            { class: 'plugin-name-row' },
            h('span', { class: 'plugin-name' }, plugin.id),
            plugin.version ? h('span', { class: 'plugin-version' }, `v${plugin.version}`) : null,
            h(
              'span',
              { class: 'push-right plugin-name-row' },
              plugin.streaming
                ? h('span', { class: 'badge streams', title: 'Streams its output' }, 'stream')
                : null,
              sourceBadge(plugin.source),
            ),
          ),
          plugin.description ? h('p', { class: 'plugin-desc' }, plugin.description) : null,
        ),
      ),
    ),
  );

  const section = byId('problems-section');
  section.hidden = catalog.diagnostics.length === 0;
  byId('problem-count').textContent = String(catalog.diagnostics.length);
  replaceChildren(
    byId('diagnostics'),
    catalog.diagnostics.map((diagnostic) =>
      h(
        'li',
        { class: 'diagnostic', 'data-testid': 'diagnostic', 'data-code': diagnostic.code },
        h(
          'div',
          { class: 'diagnostic-head' },
          h('strong', null, diagnostic.plugin_name ?? lastSegment(diagnostic.location)),
          sourceBadge(diagnostic.source),
          h('span', { class: 'diagnostic-code push-right' }, diagnostic.code),
        ),
        h('p', { class: 'diagnostic-message' }, diagnostic.message),
        h('code', { class: 'diagnostic-location' }, diagnostic.location),
      ),
    ),
  );
}

function lastSegment(location) {
  return location.split(/[\\/]/).filter(Boolean).pop() ?? location;
}
