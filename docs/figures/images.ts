/** Sample images of the datasets the guides train on. */
import { np } from "../../src/index.ts";
import { loadDigits, loadFashionMnist, fashionMnistClasses } from "../../src/data/index.ts";
import { imageGrid, type Figure } from "./svg.ts";

export async function digitSamples(): Promise<Figure> {
  const { x, y } = loadDigits();
  const n = 20;
  const images = await np.slice(x, [0, 0], [n, 64]).div(16).toArrayAsync() as number[][];
  const labels = await np.slice(y, [0], [n]).toArrayAsync() as number[];
  return imageGrid({ title: "loadDigits(): 8×8 images and their labels", images, h: 8, w: 8, captions: labels.map(String), cols: 10, scale: 6 });
}

export async function fashionSamples(): Promise<Figure> {
  let data;
  try {
    data = loadFashionMnist();
  } catch {
    // Without the Debian package the guide still builds; the picture says what is missing.
    return imageGrid({ title: "Fashion-MNIST is not installed here (apt-get install dataset-fashion-mnist)", images: [], h: 28, w: 28 });
  }
  const n = 16;
  const x = np.slice(data.train.x.reshape([-1, 784]), [0, 0], [n, 784]);
  const images = await x.div(255).toArrayAsync() as number[][];
  const labels = await np.slice(data.train.y, [0], [n]).toArrayAsync() as number[];
  return imageGrid({ title: "loadFashionMnist(): 28×28 images", images, h: 28, w: 28, captions: labels.map((l) => fashionMnistClasses[l]!), cols: 8, scale: 2 });
}
