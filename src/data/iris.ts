/** Fisher's iris flowers, embedded in the package. */
import * as t from "io-ts";
import { isLeft } from "fp-ts/lib/Either.js";
import { PathReporter } from "io-ts/lib/PathReporter.js";
import { parseNumericRows, readGzipAsset, floats, ints, type Dataset } from "./dataset.ts";

/** The header line of scikit-learn's CSV datasets: sample count, feature count, class names. */
const CsvHeader = t.tuple([t.Int, t.Int, t.string, t.string, t.string]);

/**
 * The iris dataset with its names.
 * @example const { featureNames, targetNames } = loadIris();
 */
export interface IrisDataset extends Dataset {
  /** The four measurements, in column order. */
  featureNames: string[];
  /** The species, by label. */
  targetNames: string[];
}

/**
 * Fisher's iris flowers (R. A. Fisher, 1936; the copy scikit-learn ships as `load_iris`):
 * 150 flowers, 4 measurements in cm (sepal length, sepal width, petal length, petal
 * width), 3 species. Embedded in the package.
 *
 * @returns `x`: float32 [150, 4]; `y`: int32 [150] (0 setosa, 1 versicolor, 2 virginica); the names.
 * @example
 * const { x, y, targetNames } = loadIris();
 * targetNames   // ["setosa", "versicolor", "virginica"]
 */
export function loadIris(): IrisDataset {
  const [head, ...lines] = readGzipAsset("iris.csv.gz").split("\n").filter((l) => l.trim() !== "");
  const cells = head!.split(",").map((c, i) => (i < 2 ? Number(c) : c.trim()));
  const header = CsvHeader.decode(cells);
  if (isLeft(header)) throw new Error(`iris.csv.gz: unexpected header ${JSON.stringify(head)}: ${PathReporter.report(header).join("; ")}`);
  const [count, features, ...targetNames] = header.right;
  const rows = parseNumericRows(lines, "iris.csv.gz", 2);
  if (rows.length !== count) throw new Error(`iris.csv.gz: the header promises ${count} rows; found ${rows.length}`);
  const x = new Float32Array(count * features), y = new Int32Array(count);
  rows.forEach((r, i) => {
    if (r.length !== features + 1) throw new Error(`iris.csv.gz: line ${i + 2} has ${r.length} columns; expected ${features + 1}`);
    x.set(r.slice(0, features), i * features);
    y[i] = r[features]!;
  });
  return {
    x: floats(x, [count, features]), y: ints(y, [count]),
    featureNames: ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    targetNames,
  };
}
