/**
 * A TypeDoc validation rule: every symbol a module exports (function, class, variable,
 * interface, type alias, enum) has an `@example`. Missing ones are warnings, which the
 * docs build treats as errors, so an export without an example fails `npm run docs`.
 */
import { Application, DeclarationReflection, ReflectionKind, type Comment } from "typedoc";

const NEEDS_EXAMPLE = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Variable
  | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Enum;

/** The comments TypeDoc may show for a declaration: its own, its signatures', its type's. */
function commentsOf(r: DeclarationReflection): (Comment | undefined)[] {
  const typeDecl = r.type?.type === "reflection" ? r.type.declaration : undefined;
  return [r.comment, ...(r.signatures ?? []).map((s) => s.comment), typeDecl?.comment, ...(typeDecl?.signatures ?? []).map((s) => s.comment)];
}

/** Installs the rule on a TypeDoc application. */
export function requireExamples(app: Application): void {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    for (const r of project.getReflectionsByKind(NEEDS_EXAMPLE)) {
      if (!(r instanceof DeclarationReflection)) continue;
      if (!r.parent?.kindOf(ReflectionKind.SomeModule | ReflectionKind.Project)) continue;
      if (commentsOf(r).some((c) => c?.getTag("@example"))) continue;
      app.logger.warn(`${r.getFriendlyFullName()} (${ReflectionKind.singularString(r.kind)}) has no @example: add one to its doc comment (see docs/writing-docs.md)` as never);
    }
  });
}
