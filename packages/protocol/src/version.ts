/**
 * The plugwork version this protocol package belongs to; plugin manifests' `engine` ranges are
 * checked against it. A test keeps it equal to package.json's version.
 */
export const PLUGWORK_VERSION = '0.1.0';
