import { type DType, shortName } from "./dtype.ts";
import { type Shape, shapeSize } from "./shape.ts";

/**
 * An abstract value: what tracing knows about an array (shape, dtype and whether its type
 * is weak, i.e. came from a JS number and yields to other operands in promotion).
 *
 * @example
 * np.ones([2, 3]).aval.str()   // "f32[2,3]"
 */
export class ShapedArray {
  /** The dimensions (frozen). */
  readonly shape: readonly number[];
  /**
   * @param shape the dimensions
   * @param dtype the element type
   * @param weakType whether the type came from a JS number (it yields in promotion)
   */
  constructor(shape: Shape, readonly dtype: DType, readonly weakType = false) {
    this.shape = Object.freeze([...shape]);
  }
  /** Number of dimensions. */
  get ndim(): number { return this.shape.length; }
  /** Number of elements. */
  get size(): number { return shapeSize(this.shape); }
  /** `f32[3,4]`, the way jaxprs print types. */
  str(): string { return `${shortName(this.dtype)}[${this.shape.join(",")}]`; }
  /** Same as {@link ShapedArray.str}. */
  toString(): string { return this.str(); }
  /** Same shape, dtype and weakness. */
  equals(other: ShapedArray): boolean {
    return this.dtype === other.dtype && this.weakType === other.weakType
      && this.shape.length === other.shape.length && this.shape.every((d, i) => d === other.shape[i]);
  }
  /** This aval with the given weakness. */
  withWeak(weakType: boolean): ShapedArray {
    return weakType === this.weakType ? this : new ShapedArray(this.shape, this.dtype, weakType);
  }
  /** This aval with another shape. */
  withShape(shape: Shape): ShapedArray { return new ShapedArray(shape, this.dtype, this.weakType); }
  /** This aval with another dtype (strongly typed). */
  withDtype(dtype: DType): ShapedArray { return new ShapedArray(this.shape, dtype, false); }
}
