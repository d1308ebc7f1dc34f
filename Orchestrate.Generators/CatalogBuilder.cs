using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis.CSharp;

namespace Orchestrate.Generators
{
    /// <summary>Builds the catalog model from every task spec, in declaration order: resolves references.</summary>
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

                RunControlSpec runControl = spec.RunControl;
                if (!runControl.Sequence.IsEmpty)
                {
                    var sequence = new List<string>(runControl.Sequence.Count);
                    foreach (string reference in runControl.Sequence)
                    {
                        string? resolved = ResolveName(resolver, specs, i, reference);
                        if (resolved is not null && !sequence.Contains(resolved))
                        {
                            sequence.Add(resolved);
                        }
                    }

                    runControl = runControl with { Sequence = sequence.ToEquatableArray() };
                }

                string? createAfter = spec.CreateAfter is null ? null : ResolveName(resolver, specs, i, spec.CreateAfter);
                var rules = new List<RuleEntry>();
                var resultDeps = new HashSet<string>(StringComparer.Ordinal);
                foreach (RuleSpec rule in spec.UpToDate)
                {
                    switch (rule.Kind)
                    {
                        case UpToDateRuleKind.ResultDep:
                            // Unknown and ambiguous references are reported by the graph checks.
                            string? resolved = ResolveName(resolver, specs, i, rule.Argument);
                            if (resolved is not null && resultDeps.Add(resolved))
                            {
                                rules.Add(new RuleEntry(rule.Kind, resolved, null, 0, ReturnKind.Value, null));
                            }

                            break;
                        case UpToDateRuleKind.ConfigChanged:
                            rules.Add(new RuleEntry(rule.Kind, rule.Argument, null, 0, ReturnKind.Value, CallExpression(rule.Method!, CallSite.Services)));
                            break;
                        case UpToDateRuleKind.Custom:
                            rules.Add(new RuleEntry(rule.Kind, rule.Argument, null, 0, rule.Method!.ReturnKind, CallExpression(rule.Method, CallSite.UpToDateContext)));
                            break;
                        default:
                            rules.Add(new RuleEntry(rule.Kind, rule.Argument, rule.Detail, rule.Seconds, ReturnKind.Value, null));
                            break;
                    }
                }

                RemoteSequenceSpec remoteSequence = spec.RemoteSequence;
                RemoteSequenceEntry sequenceEntry = remoteSequence == RemoteSequenceSpec.None
                    ? RemoteSequenceEntry.None
                    : new RemoteSequenceEntry(
                        LocalPreReturnKind: remoteSequence.LocalPre?.ReturnKind ?? ReturnKind.Void,
                        LocalPreCall: remoteSequence.LocalPre is null ? null : CallExpression(remoteSequence.LocalPre, CallSite.Invocation),
                        LocalPostReturnKind: remoteSequence.LocalPost?.ReturnKind ?? ReturnKind.Void,
                        LocalPostCall: remoteSequence.LocalPost is null ? null : CallExpression(remoteSequence.LocalPost, CallSite.Invocation),
                        SubSequenceOf: remoteSequence.SubSequenceOf is null ? null : ResolveName(resolver, specs, i, remoteSequence.SubSequenceOf),
                        ForEach: remoteSequence.ForEach is null ? null : ForEachLambda(remoteSequence.ForEach));
                bool localStepsTakeServices = (remoteSequence.LocalPre?.Parameters.Any(p => p.Kind == ParameterKind.Service) ?? false)
                    || (remoteSequence.LocalPost?.Parameters.Any(p => p.Kind == ParameterKind.Service) ?? false);

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
                    // The phase nodes of a sequence share the task's flag: a local step that takes services needs the host built.
                    TakesServices: spec.Parameters.Any(p => p.Kind == ParameterKind.Service) || localStepsTakeServices,
                    ReturnKind: spec.ReturnKind,
                    Call: CallExpression(new MethodRef(spec.TypeFullName, spec.MethodName, spec.IsStatic, spec.ReturnKind, spec.Parameters), CallSite.Invocation),
                    UpToDate: rules.ToEquatableArray(),
                    CleanReturnKind: spec.Clean?.ReturnKind ?? ReturnKind.Void,
                    CleanCall: spec.Clean is null ? null : CallExpression(spec.Clean, CallSite.Invocation),
                    Remote: spec.Remote,
                    RunControl: runControl,
                    RemoteSequence: sequenceEntry));
            }

            // The entries stay in declaration order (source files in the compilation's order, methods in source order):
            // the runtime starts ready tasks in that order, as doit runs its tasks in the order of the dodo file.
            DynamicCatalog.Resolve(specs, resolver, entries);
            return new CatalogModel(entries.ToEquatableArray());
        }

        private static string? ResolveName(ReferenceResolver resolver, ImmutableArray<TaskSpec> specs, int from, string reference)
        {
            Resolution resolution = resolver.Resolve(from, reference);
            return resolution.Kind == ResolutionKind.Resolved ? specs[resolution.Task].Name : null;
        }

        /// <summary>The <c>Func&lt;HostInfo, IEnumerable&lt;string&gt;&gt;</c> that calls a <c>[ForEach]</c> method.</summary>
        private static string ForEachLambda(ForEachRef forEach)
        {
            string name = SyntaxFacts.GetKeywordKind(forEach.MethodName) != SyntaxKind.None ? "@" + forEach.MethodName : forEach.MethodName;
            return forEach.TakesHost
                ? "static host => " + forEach.TypeFullName + "." + name + "(host)"
                : "static _ => " + forEach.TypeFullName + "." + name + "()";
        }

        /// <summary>What the generated lambda has at hand to supply the receiver and the arguments.</summary>
        private enum CallSite
        {
            /// <summary>A <c>TaskInvoker</c>: <c>invocation</c>.</summary>
            Invocation,

            /// <summary>A <c>[ConfigChanged]</c> computation: <c>services</c> (an <c>IServiceProvider</c>).</summary>
            Services,

            /// <summary>An <c>[UpToDateIf]</c> predicate: <c>context</c> (an <c>UpToDateContext</c>).</summary>
            UpToDateContext,
        }

        private static string CallExpression(MethodRef method, CallSite site)
        {
            string receiver = method.IsStatic ? method.TypeFullName : Service(method.TypeFullName, site);
            string name = SyntaxFacts.GetKeywordKind(method.MethodName) != SyntaxKind.None ? "@" + method.MethodName : method.MethodName;
            IEnumerable<string> arguments = method.Parameters.Select(p => p.Kind switch
            {
                ParameterKind.Context => "invocation.Context",
                ParameterKind.ContextSubclass => "(" + p.Type + ")invocation.Context",
                ParameterKind.CancellationToken => site == CallSite.UpToDateContext ? "context.CancellationToken" : "invocation.CancellationToken",
                ParameterKind.UpToDateContext => "context",
                _ => Service(p.Type, site),
            });
            return receiver + "." + name + "(" + string.Join(", ", arguments) + ")";
        }

        private static string Service(string type, CallSite site) => site switch
        {
            CallSite.Services => "((" + type + ")services.GetService(typeof(" + type + "))!)",
            CallSite.UpToDateContext => "context.GetService<" + type + ">()",
            _ => "invocation.GetService<" + type + ">()",
        };
    }
}
