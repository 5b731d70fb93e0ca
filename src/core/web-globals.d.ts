/**
 * The web-platform globals src/core uses, all of which browsers and Node (>= 18) both
 * provide. tsconfig.core.json type-checks src/core with `lib: ["ES2022"]` and no
 * `types`, so neither the DOM nor Node is visible there: anything core uses beyond
 * ES2022 and this list is a compile error (`npm run lint`). Add a global here only if
 * browsers and Node both have it, and declare only the members core uses.
 *
 * The main tsconfig.json (DOM lib) and tsconfig.test.json (DOM + Node types) include
 * this file too. There it must add nothing: as @types/node does, each value takes the
 * DOM's type when the DOM lib is loaded (`typeof globalThis` has `onmessage`), and each
 * interface then extends `{}`, so merging with the DOM's declarations changes nothing.
 */

/* eslint-disable no-var, @typescript-eslint/no-empty-object-type --
   `declare var` and interfaces extending `{}` are how globals merge with the DOM's. */

declare namespace CoreWebGlobals {
  /** True when the DOM lib is loaded. */
  type HasDom = typeof globalThis extends { onmessage: any } ? true : false;
  /** `T` without the DOM lib, `{}` with it (so an interface merge adds nothing). */
  type Own<T> = HasDom extends true ? {} : T;

  type BufferSource = ArrayBuffer | ArrayBufferView;

  interface TextDecoder {
    decode(input?: BufferSource, options?: { stream?: boolean }): string;
  }
  interface TextDecoderConstructor {
    prototype: globalThis.TextDecoder;
    new (
      label?: string,
      options?: { fatal?: boolean; ignoreBOM?: boolean }
    ): globalThis.TextDecoder;
  }

  interface ReadableStream<R> {
    pipeThrough<T>(
      transform: {
        writable: globalThis.WritableStream<R>;
        readable: globalThis.ReadableStream<T>;
      },
      options?: object
    ): globalThis.ReadableStream<T>;
  }
  // Only ever passed along (pipeThrough's transform), so no members are needed.
  interface WritableStream<_W> {}

  interface Blob {
    readonly size: number;
    stream(): globalThis.ReadableStream<Uint8Array>;
    arrayBuffer(): Promise<ArrayBuffer>;
  }
  interface BlobConstructor {
    prototype: globalThis.Blob;
    new (
      blobParts?: (BufferSource | globalThis.Blob | string)[],
      options?: { type?: string }
    ): globalThis.Blob;
  }

  interface DecompressionStream {
    readonly readable: globalThis.ReadableStream<Uint8Array>;
    readonly writable: globalThis.WritableStream<BufferSource>;
  }
  interface DecompressionStreamConstructor {
    prototype: globalThis.DecompressionStream;
    new (
      format: 'deflate' | 'deflate-raw' | 'gzip'
    ): globalThis.DecompressionStream;
  }

  interface Response {
    arrayBuffer(): Promise<ArrayBuffer>;
    text(): Promise<string>;
  }
  interface ResponseConstructor {
    prototype: globalThis.Response;
    new (
      body?:
        | globalThis.ReadableStream<Uint8Array>
        | globalThis.Blob
        | BufferSource
        | string
        | null
    ): globalThis.Response;
  }
}

interface TextDecoder extends CoreWebGlobals.Own<CoreWebGlobals.TextDecoder> {}
declare var TextDecoder: typeof globalThis extends {
  onmessage: any;
  TextDecoder: infer T;
}
  ? T
  : CoreWebGlobals.TextDecoderConstructor;

interface ReadableStream<R = any> extends CoreWebGlobals.Own<
  CoreWebGlobals.ReadableStream<R>
> {}
interface WritableStream<W = any> extends CoreWebGlobals.Own<
  CoreWebGlobals.WritableStream<W>
> {}

interface Blob extends CoreWebGlobals.Own<CoreWebGlobals.Blob> {}
declare var Blob: typeof globalThis extends { onmessage: any; Blob: infer T }
  ? T
  : CoreWebGlobals.BlobConstructor;

interface DecompressionStream extends CoreWebGlobals.Own<CoreWebGlobals.DecompressionStream> {}
declare var DecompressionStream: typeof globalThis extends {
  onmessage: any;
  DecompressionStream: infer T;
}
  ? T
  : CoreWebGlobals.DecompressionStreamConstructor;

interface Response extends CoreWebGlobals.Own<CoreWebGlobals.Response> {}
declare var Response: typeof globalThis extends {
  onmessage: any;
  Response: infer T;
}
  ? T
  : CoreWebGlobals.ResponseConstructor;

/** Decodes base64 to a "binary string" (one char per byte). */
declare function atob(data: string): string;
