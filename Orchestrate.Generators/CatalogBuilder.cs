using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis.CSharp;

namespace Orchestrate.Generators
{
    /// <summary>Builds the catalog model from every task spec: resolves references, sorts by name.</summary>
    internal static class CatalogBuilder
    {
        public static CatalogModel Build(ImmutableArray<TaskSpec> specs, CancellationToken cancellationToken)
        {
            var resolver = new ReferenceResolver(specs);
            var entries = new List<CatalogEntry>();
            for (int i = 0; i < specs.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                TaskSpec spec = specs[i];
                if (!spec.CanEmit)
                {
                    continue;
                }

                var dependsOn = new List<string>();
                foreach (string reference in spec.DependsOn)
                {
                    string? resolved = ResolveName(resolver, specs, i, reference);
                    if (resolved is not null && !dependsOn.Contains(resolved))
                    {
                        dependsOn.Add(resolved);
                    }
                }

                string? createAfter = spec.CreateAfter is null ? null : ResolveName(resolver, specs, i, spec.CreateAfter);
                entries.Add(new CatalogEntry(
                    Name: spec.Name,
                    Method: spec.MethodDisplay,
                    Doc: spec.Doc,
                    DependsOn: dependsOn.ToEquatableArray(),
                    FileDeps: spec.FileDeps,
                    Targets: spec.Targets,
                    CreateAfter: createAfter,
                    IsDefault: spec.IsDefault,
                    ServiceType: spec.IsStatic ? null : spec.TypeFullName,
                    ReturnKind: spec.ReturnKind,
                    Call: CallExpression(spec)));
            }

            entries.Sort((a, b) =>
            {
                int byName = string.CompareOrdinal(a.Name, b.Name);
                return byName != 0 ? byName : string.CompareOrdinal(a.Method, b.Method);
            });
            return new CatalogModel(entries.ToEquatableArray());
        }

        private static string? ResolveName(ReferenceResolver resolver, ImmutableArray<TaskSpec> specs, int from, string reference)
        {
            Resolution resolution = resolver.Resolve(from, reference);
            return resolution.Kind == ResolutionKind.Resolved ? specs[resolution.Task].Name : null;
        }

        private static string CallExpression(TaskSpec spec)
        {
            string receiver = spec.IsStatic ? spec.TypeFullName : "invocation.GetService<" + spec.TypeFullName + ">()";
            string method = SyntaxFacts.GetKeywordKind(spec.MethodName) != SyntaxKind.None ? "@" + spec.MethodName : spec.MethodName;
            IEnumerable<string> arguments = spec.Parameters.Select(p => p.Kind switch
            {
                ParameterKind.Context => "invocation.Context",
                ParameterKind.ContextSubclass => "(" + p.Type + ")invocation.Context",
                ParameterKind.CancellationToken => "invocation.CancellationToken",
                _ => "invocation.GetService<" + p.Type + ">()",
            });
            return receiver + "." + method + "(" + string.Join(", ", arguments) + ")";
        }
    }
}
