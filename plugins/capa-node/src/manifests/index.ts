export {
  readManifestsFromUrl,
  readManifestsFromDirectory,
  DEFAULT_MAX_MANIFEST_FILE_BYTES,
} from './readManifests';
export type {
  ReadManifestsResult,
  ReadManifestsFromUrlOptions,
  ReadManifestsFromUrlResult,
} from './readManifests';
