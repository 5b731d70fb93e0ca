/** The contract with the Python runtime: its names, its archive and every call into it. */
export * from './builders';
export * from './contract';
export * from './pystr';
export {
  RUNTIME_ARCHIVE_BASE64,
  RUNTIME_ARCHIVE_SHA256
} from './archive.generated';
