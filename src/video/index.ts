/** Video frames for models: I420 frames from the edge, scaled and encoded as JPEG. */
export { assertI420Frame, i420ByteLength, i420ToRgb, type I420Frame, type RgbImage } from './frame.js';
export { scaleI420 } from './i420-scale.js';
export { DEFAULT_JPEG_MAX_SIDE, DEFAULT_JPEG_QUALITY, encodeJpeg, fitInside, type JpegOptions } from './jpeg.js';
