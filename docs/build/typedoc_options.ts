/**
 * TypeDoc's options for the site: the entry points of package.json, the guides as project
 * documents, and validation strict enough that an undocumented export, a broken
 * `{@link}` or a reference to an unexported type fails the build.
 */
import { join } from "node:path";
import type { TypeDocOptions } from "typedoc";
import { entryPoints, ROOT } from "./entry_points.ts";

/** Internal types public signatures mention; the reference names them without a page. */
const INTERNAL_TYPES = [
  "Primitive", "ClosedJaxpr", "AnyFn",
  "PjitParams", "CheckpointParams", "CustomJvpParams", "CustomVjpParams", "CustomLinParams",
  "Values", "Arr",
];

export interface SiteInputs {
  /** Output folder (emptied first). */
  out: string;
  /** Markdown documents in navigation order (the prepared guides). */
  documents: string[];
  /** The index page's markdown. */
  readme: string;
  /** The browser script every page loads (it starts live examples where a page has them). */
  customJs: string;
  customCss: string;
  /** A local preview (DOCS_PREVIEW=1): render despite warnings. Never in CI. */
  preview?: boolean;
}

export function typedocOptions(site: SiteInputs): TypeDocOptions {
  return {
    name: "gradus",
    entryPoints: entryPoints().map((e) => e.file),
    entryPointStrategy: "resolve",
    tsconfig: join(ROOT, "tsconfig.json"),
    out: site.out,
    readme: site.readme,
    projectDocuments: site.documents,
    customJs: site.customJs,
    customCss: site.customCss,
    // tsc checks types (npm run typecheck); TypeDoc only reads them.
    skipErrorChecking: true,
    disableSources: true,
    excludePrivate: true,
    excludeInternal: true,
    githubPages: false,
    treatWarningsAsErrors: !site.preview,
    validation: { notExported: true, invalidLink: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
    requiredToBeDocumented: [
      "Enum", "EnumMember", "Variable", "Function", "Class", "Interface", "Property", "Method", "Accessor", "TypeAlias",
    ],
    intentionallyNotExported: INTERNAL_TYPES,
    markdownItOptions: { html: true, linkify: false, typographer: false },
    sort: ["kind", "instance-first", "alphabetical-ignoring-documents"],
    highlightLanguages: ["typescript", "javascript", "bash", "json", "python"],
    navigation: { includeCategories: false, includeGroups: true, includeFolders: false },
    groupOrder: ["Guides", "Modules", "Reference", "Internals", "*"],
    // The README and the documents start with their own "# Title".
    headings: { readme: false, document: false },
    favicon: join(ROOT, "docs/live/favicon.svg"),
    logLevel: "Warn",
  };
}
