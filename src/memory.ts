/**
 * Array lifetimes without manual reference counting. Arrays created inside `scope` are
 * released when it ends unless they are part of its result; arrays returned to the user
 * outside any scope live until `dispose` (a FinalizationRegistry frees forgotten ones when
 * they are garbage-collected, as a safety net only).
 */

/** What the scope stack tracks: an array that owns backend memory. */
export interface Owned {
  dispose(): void;
  readonly isDisposed: boolean;
  /** Called when the array leaves every scope: from then on only `dispose` or the GC frees it. */
  escape(): void;
}

const scopes: Set<Owned>[] = [];

/**
 * Called by every array that owns memory when it is created. Inside a scope the scope
 * owns it; outside, it has escaped at once.
 */
export function track(x: Owned): void {
  const top = scopes[scopes.length - 1];
  if (top) top.add(x);
  else x.escape();
}

let collectOwned: (tree: unknown) => Owned[] = () => [];
let transforming: () => boolean = () => false;

/**
 * Installed by the interpreter stack. While a transformation is running, tracers may hold
 * arrays created in an inner scope (a JVP tracer's primal, a known partial value), and a
 * scope cannot see inside them; so inner scopes hand their arrays to the enclosing scope,
 * and the outermost scope, entered before the transformation began, releases them.
 */
export function setTransformingCheck(f: () => boolean): void {
  transforming = f;
}

/** Installed by the array module: finds the arrays in a pytree. */
export function setOwnedCollector(f: (tree: unknown) => Owned[]): void {
  collectOwned = f;
}

/**
 * Runs `fn` and releases every array it created that is not part of its result; arrays in
 * the result move to the enclosing scope. Scopes nest. `fn` must be synchronous.
 *
 * @example
 * const x = np.array([0, 1]);
 * const y = scope(() => {
 *   const t = np.exp(x);          // released when the scope ends
 *   return t.add(1);              // kept: part of the result
 * });
 * @throws TypeError if `fn` returns a Promise (a scope cannot span an await).
 */
export function scope<T>(fn: () => T): T {
  const mine = new Set<Owned>();
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const x of mine) x.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const x of mine) x.dispose();
    throw new TypeError("scope(fn): fn returned a Promise; a scope cannot span an await. Read values after the scope, or dispose() arrays yourself in async code");
  }
  const parent = scopes[scopes.length - 1];
  if (transforming()) {
    // Without an enclosing scope nobody could release them safely now; the garbage
    // collector's finalizer will (transform entry points always open a scope, so this is rare).
    for (const x of mine) parent ? parent.add(x) : x.escape();
    return result;
  }
  const kept = new Set(collectOwned(result));
  for (const x of mine) {
    if (!kept.has(x)) x.dispose();
    else if (parent) parent.add(x);
    else x.escape();
  }
  return result;
}

/**
 * Releases the memory of every array in a pytree now. Using a disposed array afterwards
 * raises an error that says it was disposed.
 *
 * @example
 * const params = { w: np.ones([3, 3]), b: np.zeros([3]) };
 * dispose(params);
 */
export function dispose(tree: unknown): void {
  for (const x of collectOwned(tree)) x.dispose();
}

/**
 * Exempts the arrays of a pytree from every enclosing scope, so they outlive it; they are
 * then released only by `dispose` (or garbage collection). Returns the tree.
 *
 * @example
 * const init = () => ({ w: np.ones([2, 2]), b: np.zeros([2]) });
 * let params;
 * scope(() => { params = keep(init()); });   // params survives the scope
 */
export function keep<T>(tree: T): T {
  for (const x of collectOwned(tree)) {
    let held = false;
    for (const s of scopes) held = s.delete(x) || held;
    if (held) x.escape();
  }
  return tree;
}
