/** Runs TypeDoc: converts, validates (warnings are errors) and renders the site. */
import { Application } from "typedoc";
import { requireExamples } from "./require_examples.ts";
import { typedocOptions, type SiteInputs } from "./typedoc_options.ts";

/** Renders the API reference and the documents into `site.out`; throws when TypeDoc reports problems. */
export async function renderWithTypedoc(site: SiteInputs): Promise<void> {
  const app = await Application.bootstrapWithPlugins(typedocOptions(site));
  requireExamples(app);
  const project = await app.convert();
  if (!project) throw new Error("docs: TypeDoc could not convert the project (see the messages above)");
  app.validate(project);
  if (site.preview && app.logger.hasWarnings()) console.warn(`docs: PREVIEW build: ${app.logger.warningCount} warnings ignored; npm run docs fails on them`);
  if (app.logger.hasErrors() || (app.logger.hasWarnings() && !site.preview)) {
    throw new Error(`docs: TypeDoc reported ${app.logger.errorCount} errors and ${app.logger.warningCount} warnings (above); the docs build treats warnings as errors`);
  }
  await app.generateDocs(project, site.out);
  if (app.logger.hasErrors()) throw new Error("docs: TypeDoc failed while rendering (see above)");
}
