import { PLUGWORK_VERSION } from '@plugwork/protocol';
import { describe, expect, it } from 'vitest';
import { resolvePythonAdapter } from '../../src/parent/python-launch.ts';

describe('resolvePythonAdapter', () => {
  it("gives the folder adapter the host's plugwork version, for the manifests' engine ranges", () => {
    const spec = resolvePythonAdapter(
      { module: '@plugwork/adapter-fs', export: 'default', options: { directories: ['/srv/p'] } },
      '/',
    );
    expect(spec).toEqual({
      module: 'plugwork_worker.folder_adapter',
      export: 'FolderAdapter',
      options: { directories: ['/srv/p'], plugwork_version: PLUGWORK_VERSION },
    });
  });

  it('leaves a named Python adapter’s options as they are', () => {
    const options = { root: '/srv/p' };
    expect(
      resolvePythonAdapter({ module: 'myproject.plugins', export: 'Manager', options }, '/'),
    ).toEqual({ module: 'myproject.plugins', export: 'Manager', options });
  });
});
