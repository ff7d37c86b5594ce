/**
 * sharp (libvips), loaded on first use: it is a native add-on, and most processes that import
 * this package never encode a video frame.
 */
import type sharpModule from 'sharp';

type Sharp = typeof sharpModule;

let loading: Promise<Sharp> | undefined;

/** The sharp function, loaded once. */
export function loadSharp(): Promise<Sharp> {
  // A CommonJS module: its export is the default export of the ES module.
  loading ??= import('sharp').then((module) => ((module as { default?: Sharp }).default ?? module) as Sharp);
  return loading;
}
