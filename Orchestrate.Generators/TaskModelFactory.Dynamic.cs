using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Orchestrate.Generators
{
    /// <summary>Graphs that grow while running: groups of sub-tasks, <c>TargetRegex</c>, <c>[CalcDep]</c>.</summary>
    internal static partial class TaskModelFactory
    {
        private static readonly SymbolDisplayFormat ReturnTypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

        /// <summary>
        /// Adds to the model of a task what it says about graphs that grow while running (<see cref="TaskSpec.Dynamic"/>,
        /// the <c>[CalcDep]</c> locations), and checks what the task alone can tell (ORCH0040, ORCH0042, ORCH0043).
        /// </summary>
        public static TaskModel AddDynamic(TaskModel model, MethodDeclarationSyntax syntax, IMethodSymbol method, TypeNames names, CancellationToken cancellationToken)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var calcDeps = new List<string>();
            var calcDepLocations = new List<ReferenceLocation>();
            string? targetRegex = null;
            LocationInfo? targetRegexLocation = null;
            string? createAfter = null;
            foreach (AttributeData attribute in method.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (DynamicMetadataName(attribute.AttributeClass) ?? MetadataName(attribute.AttributeClass))
                {
                    case AttributeNames.CalcDep:
                        CollectStrings(attribute, calcDeps, calcDepLocations, cancellationToken);
                        break;
                    case AttributeNames.CreateAfter:
                        createAfter = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
                        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                        {
                            if (named.Key == "TargetRegex" && named.Value.Value is string pattern)
                            {
                                targetRegex = pattern;
                                targetRegexLocation = NamedArgumentLocation(attribute, "TargetRegex", cancellationToken)
                                    ?? AttributeLocation(attribute, cancellationToken)
                                    ?? model.TaskAttribute;
                            }
                        }

                        break;
                }
            }

            ITypeSymbol returnType = method.ReturnType;
            bool returnHasErrors = ContainsErrors(returnType);
            ITypeSymbol result = AwaitedType(returnType) ?? returnType;
            bool yieldsSubTasks = !method.ReturnsByRef && !method.ReturnsByRefReadonly && IsSequenceOfSubTasks(result);

            // A return type the compiler cannot resolve is its error alone: the task is not reported for not
            // returning CalculatedDeps on top of it.
            bool returnsCalculatedDeps = returnHasErrors || IsOrchestrateType(result, AttributeNames.CalculatedDeps);
            string returnTypeText = names.Display(returnType, ReturnTypeFormat);
            TaskSpec spec = model.Spec;

            if (targetRegex is not null)
            {
                string? problem = RegexProblem(targetRegex);
                if (problem is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidTargetRegex, targetRegexLocation, spec.Name, targetRegex, problem));
                }
                else if (!yieldsSubTasks && !returnHasErrors)
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.TargetRegexWithoutSubTasks,
                        targetRegexLocation,
                        spec.Name,
                        targetRegex,
                        spec.MethodDisplay,
                        returnTypeText,
                        createAfter ?? string.Empty));
                }
            }

            if (yieldsSubTasks && createAfter is null)
            {
                CheckLoadedGroup(model, syntax, method, diagnostics);
            }

            var dynamicSpec = new DynamicSpec(
                yieldsSubTasks,
                targetRegex,
                calcDeps.ToEquatableArray(),
                returnsCalculatedDeps,
                returnTypeText);
            return model with
            {
                Spec = spec with { Dynamic = dynamicSpec },
                CalcDepLocations = calcDepLocations.ToEquatableArray(),
                Diagnostics = diagnostics.Count == 0 ? model.Diagnostics : model.Diagnostics.Concat(diagnostics).ToEquatableArray(),
            };
        }

        /// <summary>The metadata name of the attributes only this part reads, declared directly in the Orchestrate namespace.</summary>
        private static string? DynamicMetadataName(INamedTypeSymbol? attributeClass) =>
            attributeClass is { MetadataName: "CalcDepAttribute", ContainingType: null } && IsInNamespace(attributeClass, AttributeNames.Namespace)
                ? AttributeNames.CalcDep
                : null;

        /// <summary>Why the pattern is refused, or null. It is compiled as the runtime compiles it, anchored at the start.</summary>
        private static string? RegexProblem(string pattern)
        {
            if (pattern.Length == 0)
            {
                return "it is empty, so it would match every path";
            }

            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
                _ = new Regex("\\A(?:" + pattern + ")", RegexOptions.CultureInvariant);
                return null;
            }
            catch (ArgumentException e)
            {
                return e.Message.TrimEnd('.', ' ');
            }
        }

        /// <summary>
        /// A group without <c>[CreateAfter]</c> is called when the graph is loaded, before dependency injection exists:
        /// an instance method or a service parameter cannot be supplied then (ORCH0043).
        /// </summary>
        private static void CheckLoadedGroup(TaskModel model, MethodDeclarationSyntax syntax, IMethodSymbol method, List<DiagnosticInfo> diagnostics)
        {
            if (!method.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SubTasksNeedServices,
                    model.TaskAttribute,
                    model.Spec.Name,
                    "it is an instance method of '" + model.Spec.TypeDisplayName + "', which is created by dependency injection"));
                return;
            }

            for (int i = 0; i < method.Parameters.Length && i < model.Spec.Parameters.Count; i++)
            {
                if (model.Spec.Parameters[i].Kind != ParameterKind.Service)
                {
                    continue;
                }

                IParameterSymbol parameter = method.Parameters[i];
                ParameterSyntax? parameterSyntax = i < syntax.ParameterList.Parameters.Count ? syntax.ParameterList.Parameters[i] : null;
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.SubTasksNeedServices,
                    LocationInfo.From(parameterSyntax) ?? model.TaskAttribute,
                    model.Spec.Name,
                    "it takes the service parameter '" + parameter.Name + "'"));
                return;
            }
        }

        /// <summary>The location of a named argument (<c>Name = value</c>) of an attribute, or null.</summary>
        private static LocationInfo? NamedArgumentLocation(AttributeData attribute, string name, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax { ArgumentList: { } arguments })
            {
                return null;
            }

            foreach (AttributeArgumentSyntax argument in arguments.Arguments)
            {
                if (argument.NameEquals?.Name.Identifier.ValueText == name)
                {
                    return LocationInfo.From(argument);
                }
            }

            return null;
        }

        /// <summary>The <c>T</c> of <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>, else null.</summary>
        private static ITypeSymbol? AwaitedType(ITypeSymbol type) =>
            type is INamedTypeSymbol { Arity: 1, ContainingType: null } named
                && (named.Name == "Task" || named.Name == "ValueTask")
                && IsInNamespace(named, "System", "Threading", "Tasks")
                ? named.TypeArguments[0]
                : null;

        /// <summary>
        /// Whether values of the type are sequences of sub-tasks: <c>IEnumerable&lt;SubTask&gt;</c> or
        /// <c>IAsyncEnumerable&lt;SubTask&gt;</c> itself (an iterator, an <c>async</c> iterator), or a type that implements
        /// one of them (<c>IReadOnlyList&lt;SubTask&gt;</c>, <c>List&lt;SubTask&gt;</c>, <c>SubTask[]</c>, ...).
        /// </summary>
        private static bool IsSequenceOfSubTasks(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol { Rank: 1 } array)
            {
                return IsOrchestrateType(array.ElementType, AttributeNames.SubTask);
            }

            if (IsEnumerableOfSubTasks(type))
            {
                return true;
            }

            foreach (INamedTypeSymbol implemented in type.AllInterfaces)
            {
                if (IsEnumerableOfSubTasks(implemented))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsEnumerableOfSubTasks(ITypeSymbol type) =>
            type is INamedTypeSymbol { Name: "IEnumerable" or "IAsyncEnumerable", Arity: 1, ContainingType: null } named
            && IsInNamespace(named, "System", "Collections", "Generic")
            && IsOrchestrateType(named.TypeArguments[0], AttributeNames.SubTask);

        /// <summary>Whether the type is the Orchestrate type of that full name (<c>Orchestrate.SubTask</c>, ...).</summary>
        private static bool IsOrchestrateType(ITypeSymbol type, string fullName) =>
            type is INamedTypeSymbol { Arity: 0, ContainingType: null } named
            && fullName.Length == AttributeNames.Namespace.Length + 1 + named.Name.Length
            && fullName.EndsWith("." + named.Name, StringComparison.Ordinal)
            && IsInNamespace(named, AttributeNames.Namespace);
    }
}
