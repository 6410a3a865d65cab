// Augmentation parameters, drawn from the seeded generator; the pixel work
// (and the displacement fields' random values, from a seed per image) is the
// augmentImages kernel's.
import { nextFloat } from "../random.js";

export interface AugmentOptions {
  /** Random translation of up to this many pixels in x and y (default 2). */
  shift?: number;
  /** Random rotation of up to this many degrees (default 10). */
  rotate?: number;
  /** Random scaling by up to this fraction (default 0.1). */
  scale?: number;
  /** Random shear of up to this factor (default 0.1). */
  shear?: number;
  /**
   * Elastic distortion (Simard et al. 2003): a field of uniform random
   * displacements smoothed by a Gaussian of sigma, scaled by alpha. Default
   * { alpha: 36, sigma: 5 }; false turns it off.
   */
  elastic?: { alpha: number; sigma: number } | false;
  /**
   * Other limits for some classes, by label: Ciresan et al. (2010) rotate
   * and shear 1s and 7s by half as much as the other digits.
   */
  classes?: Record<number, { rotate?: number; shear?: number }>;
}

export const DEFAULT_AUGMENT: Required<AugmentOptions> = {
  shift: 2,
  rotate: 10,
  scale: 0.1,
  shear: 0.1,
  elastic: { alpha: 36, sigma: 5 },
  classes: {},
};

const uniform = (a: number) => (2 * nextFloat() - 1) * a;

/**
 * The map from output pixel (x, y) to source pixel, as the 2x3 matrix of
 * warpBilinear: a random rotation, scale and shear about the centre, then a
 * shift.
 */
export function randomAffine(o: Required<AugmentOptions>, rows: number, cols: number): number[] {
  const th = (uniform(o.rotate) * Math.PI) / 180;
  const s = 1 + uniform(o.scale),
    sh = uniform(o.shear);
  const c = Math.cos(th) / s,
    si = Math.sin(th) / s;
  const m00 = c,
    m01 = -si + sh * c,
    m10 = si,
    m11 = c + sh * si;
  const cx = (cols - 1) / 2,
    cy = (rows - 1) / 2;
  const tx = uniform(o.shift),
    ty = uniform(o.shift);
  return [m00, m01, cx - m00 * cx - m01 * cy - tx, m10, m11, cy - m10 * cx - m11 * cy - ty];
}

/** The normalised 1-D Gaussian of sigma, radius ceil(3 sigma). */
export function gaussianKernel(sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

/** Bytes the blur's taps may take: sigma up to 10 (radius 30, 61 taps). */
export const AUG_TAPS_BYTES = 64 * 4;

/**
 * What augmenting a pixel costs next to an element-wise kernel's element
 * (two fields blurred with 2 x 31 taps each, a bilinear warp), for the cost
 * model's split of a batch over threads.
 */
export const AUGMENT_WEIGHT = 64;
