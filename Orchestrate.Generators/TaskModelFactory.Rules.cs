using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Orchestrate.Generators
{
    /// <summary>The methods that <c>[ConfigChanged]</c>, <c>[UpToDateIf]</c>, <c>[Clean]</c>, <c>[LocalPre]</c>, <c>[LocalPost]</c> and <c>[ForEach]</c> name.</summary>
    internal enum MethodRole
    {
        ConfigChanged,
        UpToDateIf,
        Clean,
        LocalPre,
        LocalPost,
        ForEach,
    }

    /// <summary>Up-to-date rules and the clean method: read and resolved while the symbols are at hand.</summary>
    internal static partial class TaskModelFactory
    {
        /// <summary>The largest whole number of seconds a <c>TimeSpan</c> holds.</summary>
        private const long MaxExpirySeconds = 922337203685L;

        private const string ConfigChangedShape =
            "A [ConfigChanged] method takes no parameters or only services, and returns the configuration value (not void or a task).";

        private const string UpToDateIfShape =
            "An [UpToDateIf] method returns bool or bool? (null: no opinion), or a Task or ValueTask of one, and takes only UpToDateContext, CancellationToken or services.";

        // bool, or bool? for a three-valued rule (null: no opinion, as doit's uptodate callables returning None).
        private static bool IsBoolOrNullableBool(ITypeSymbol type) =>
            type.SpecialType == SpecialType.System_Boolean
            || (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments.Length: 1 } nullable
                && nullable.TypeArguments[0].SpecialType == SpecialType.System_Boolean);

        private const string CleanShape =
            "A [Clean] method takes what a task may take (TaskContext, CancellationToken or services) and returns void, Task, ValueTask, Task<T>, ValueTask<T> or a value.";

        private const string LocalStepShape =
            "A [{0}] method is shaped like a task method: it takes RemoteContext (or TaskContext), CancellationToken or services, and returns void, Task, ValueTask, Task<T>, ValueTask<T> or a value.";

        private const string ForEachShape =
            "A [ForEach] method is static, takes no parameter or one HostInfo, and returns the items as an IEnumerable<string> (string[], List<string>, ...).";

        /// <summary>What reading the rules of one task needs: the transform's context, the task, and where to report.</summary>
        private sealed class RuleContext
        {
            public RuleContext(
                SemanticModel semanticModel,
                SyntaxNode targetNode,
                INamedTypeSymbol taskType,
                string taskName,
                TypeNames names,
                List<DiagnosticInfo> diagnostics,
                CancellationToken cancellationToken)
            {
                SemanticModel = semanticModel;
                TargetNode = targetNode;
                TaskType = taskType;
                TaskName = taskName;
                Names = names;
                Diagnostics = diagnostics;
                CancellationToken = cancellationToken;
            }

            public SemanticModel SemanticModel { get; }

            public SyntaxNode TargetNode { get; }

            public INamedTypeSymbol TaskType { get; }

            public string TaskName { get; }

            public TypeNames Names { get; }

            public List<DiagnosticInfo> Diagnostics { get; }

            public CancellationToken CancellationToken { get; }
        }

        private static void AddIfNotNull(List<RuleSpec> rules, RuleSpec? rule)
        {
            if (rule is not null)
            {
                rules.Add(rule);
            }
        }

        private static RuleSpec? ReadExpiresAfter(AttributeData attribute, RuleContext rules)
        {
            long total = 0;
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                if (named.Value.Value is not int value)
                {
                    continue;
                }

                total += named.Key switch
                {
                    "Days" => value * 86400L,
                    "Hours" => value * 3600L,
                    "Minutes" => value * 60L,
                    "Seconds" => value,
                    _ => 0L,
                };
            }

            if (total > 0 && total <= MaxExpirySeconds)
            {
                return new RuleSpec(UpToDateRuleKind.ExpiresAfter, string.Empty, null, total, null);
            }

            string problem = total <= 0 ? "so it would never be up to date" : "which is more than a TimeSpan holds";
            rules.Diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.InvalidExpiry,
                AttributeLocation(attribute, rules.CancellationToken),
                rules.TaskName,
                total.ToString(CultureInfo.InvariantCulture),
                problem));
            return null;
        }

        private static RuleSpec? ReadTimestampUnchanged(AttributeData attribute)
        {
            if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string path)
            {
                return null;
            }

            string kind = "global::Orchestrate.TimestampKind.Modified";
            foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
            {
                if (named.Key != "Kind" || named.Value.Value is not int value)
                {
                    continue;
                }

                IFieldSymbol? member = (named.Value.Type as INamedTypeSymbol)?.GetMembers()
                    .OfType<IFieldSymbol>()
                    .FirstOrDefault(f => f.HasConstantValue && f.ConstantValue is int constant && constant == value);
                kind = member is not null
                    ? "global::Orchestrate.TimestampKind." + member.Name
                    : "(global::Orchestrate.TimestampKind)(" + value.ToString(CultureInfo.InvariantCulture) + ")";
            }

            return new RuleSpec(UpToDateRuleKind.TimestampUnchanged, path, kind, 0, null);
        }

        private static RuleSpec? ReadMethodRule(AttributeData attribute, MethodRole role, RuleContext rules)
        {
            MethodRef? method = ResolveRuleMethod(attribute, role, rules, out string? written);
            if (method is null || written is null)
            {
                return null;
            }

            UpToDateRuleKind kind = role == MethodRole.ConfigChanged ? UpToDateRuleKind.ConfigChanged : UpToDateRuleKind.Custom;
            return new RuleSpec(kind, written, null, 0, method);
        }

        /// <summary>
        /// Finds the method an attribute names and checks that generated code can call it in its role.
        /// Reports ORCH0009/ORCH0010 and returns null when it cannot; returns null silently when the
        /// compiler already reports an error (missing types).
        /// </summary>
        private static MethodRef? ResolveRuleMethod(AttributeData attribute, MethodRole role, RuleContext rules, out string? written)
        {
            written = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
            if (written is null)
            {
                return null;
            }

            var attributeSyntax = attribute.ApplicationSyntaxReference?.GetSyntax(rules.CancellationToken) as AttributeSyntax;
            ExpressionSyntax? argument = attributeSyntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression;
            LocationInfo? location = LocationInfo.From(argument) ?? LocationInfo.From(attributeSyntax);
            SemanticModel semanticModel = rules.SemanticModel;
            bool sameTree = attributeSyntax is not null && attributeSyntax.SyntaxTree == semanticModel.SyntaxTree;
            string attributeName = role.ToString();
            bool sequenceRole = role == MethodRole.LocalPre || role == MethodRole.LocalPost || role == MethodRole.ForEach;
            DiagnosticDescriptor unknown = sequenceRole ? DiagnosticDescriptors.UnknownSequenceMethod : DiagnosticDescriptors.UnknownRuleMethod;
            DiagnosticDescriptor unsupported = sequenceRole ? DiagnosticDescriptors.UnsupportedSequenceMethod : DiagnosticDescriptors.UnsupportedRuleMethod;

            // nameof(Method) and nameof(Type.Method) bind to the methods themselves.
            bool nameofUnbound = false;
            List<IMethodSymbol>? candidates = sameTree ? NameofMethods(semanticModel, argument, out nameofUnbound, rules.CancellationToken) : null;
            if (nameofUnbound)
            {
                // nameof of a name that does not exist: the compiler reports it.
                return null;
            }

            INamedTypeSymbol? owner = candidates?[0].ContainingType;
            string methodName = candidates?[0].Name ?? written;
            if (candidates is null)
            {
                owner = rules.TaskType;
                int dot = written.LastIndexOf('.');
                if (dot > 0 && dot < written.Length - 1)
                {
                    string typeName = written.Substring(0, dot);
                    methodName = written.Substring(dot + 1);
                    int position = sameTree ? attributeSyntax!.SpanStart : rules.TargetNode.SpanStart;
                    owner = FindType(semanticModel, position, typeName);
                    if (owner is null)
                    {
                        rules.Diagnostics.Add(DiagnosticInfo.Create(
                            unknown,
                            location,
                            rules.TaskName,
                            attributeName,
                            written,
                            "'" + typeName + "' is not a type visible from '" + rules.TaskType.ToDisplayString(TypeDisplayFormat) + "'",
                            "Name a method of the task's class, or a method of another class as Type.Method."));
                        return null;
                    }
                }

                candidates = owner.GetMembers(methodName).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
                if (candidates.Count == 0)
                {
                    string? suggestion = Naming.Suggest(
                        methodName,
                        owner.GetMembers()
                            .OfType<IMethodSymbol>()
                            .Where(m => m.MethodKind == MethodKind.Ordinary && !m.IsImplicitlyDeclared)
                            .Select(m => m.Name)
                            .Distinct(StringComparer.Ordinal)
                            .Select(n => new KeyValuePair<string, string>(n, n)));
                    string ownerDisplay = owner.ToDisplayString(TypeDisplayFormat);
                    rules.Diagnostics.Add(DiagnosticInfo.Create(
                        unknown,
                        location,
                        rules.TaskName,
                        attributeName,
                        written,
                        "'" + methodName + "' is not a method of '" + ownerDisplay + "'",
                        suggestion is null
                            ? "Name a method of '" + ownerDisplay + "', or a method of another class as Type.Method."
                            : "Did you mean '" + suggestion + "'?"));
                    return null;
                }
            }

            string methodDisplay = owner!.ToDisplayString(TypeDisplayFormat) + "." + methodName;
            var fits = new List<MethodRef>();
            string[]? firstProblem = null;
            bool hasErrors = false;
            foreach (IMethodSymbol candidate in candidates)
            {
                string[]? problem = RuleMethodProblem(candidate, role, rules.Names, out MethodRef? reference, out bool candidateHasErrors);
                if (candidateHasErrors)
                {
                    hasErrors = true;
                }
                else if (reference is not null)
                {
                    fits.Add(reference);
                }
                else
                {
                    firstProblem ??= problem;
                }
            }

            if (fits.Count == 1)
            {
                return fits[0];
            }

            string[]? report = fits.Count > 1
                ? new[] { "it has " + fits.Count.ToString(CultureInfo.InvariantCulture) + " overloads that fit", "Give the method a name of its own." }
                : hasErrors || firstProblem is null
                    ? null
                    : candidates.Count == 1
                        ? firstProblem
                        : new[] { "none of its " + candidates.Count.ToString(CultureInfo.InvariantCulture) + " overloads fits (the first: " + firstProblem[0] + ")", firstProblem[1] };
            if (report is not null)
            {
                rules.Diagnostics.Add(DiagnosticInfo.Create(
                    unsupported,
                    location,
                    rules.TaskName,
                    attributeName,
                    written,
                    methodDisplay,
                    report[0],
                    report[1]));
            }

            return null;
        }

        /// <summary>
        /// The methods named by a <c>nameof(...)</c> argument, or null when it is not one or names no method;
        /// <paramref name="unbound"/> when it names nothing at all.
        /// </summary>
        private static List<IMethodSymbol>? NameofMethods(SemanticModel semanticModel, ExpressionSyntax? argument, out bool unbound, CancellationToken cancellationToken)
        {
            unbound = false;
            if (argument is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } } invocation
                || invocation.ArgumentList.Arguments.Count != 1)
            {
                return null;
            }

            SymbolInfo info = semanticModel.GetSymbolInfo(invocation.ArgumentList.Arguments[0].Expression, cancellationToken);
            IEnumerable<ISymbol> symbols = info.Symbol is not null ? new[] { info.Symbol } : info.CandidateSymbols;
            unbound = info.Symbol is null && info.CandidateSymbols.IsEmpty;
            List<IMethodSymbol> methods = symbols
                .OfType<IMethodSymbol>()
                .Where(m => m.MethodKind == MethodKind.Ordinary)
                .Select(m => m.ReducedFrom ?? m)
                .ToList();
            if (methods.Count == 0)
            {
                return null;
            }

            INamedTypeSymbol owner = methods[0].ContainingType;
            return methods.Where(m => SymbolEqualityComparer.Default.Equals(m.ContainingType, owner)).ToList();
        }

        /// <summary>A type named as written (<c>Type</c>, <c>Outer.Inner</c>, <c>Namespace.Type</c>), looked up from <paramref name="position"/>.</summary>
        private static INamedTypeSymbol? FindType(SemanticModel semanticModel, int position, string typeName)
        {
            string[] parts = typeName.Split('.');
            IEnumerable<INamespaceOrTypeSymbol> current = semanticModel.LookupNamespacesAndTypes(position, name: parts[0]).OfType<INamespaceOrTypeSymbol>();
            for (int i = 1; i < parts.Length; i++)
            {
                string part = parts[i];
                current = current.SelectMany(s => s.GetMembers(part).OfType<INamespaceOrTypeSymbol>()).ToList();
            }

            List<INamedTypeSymbol> types = current.OfType<INamedTypeSymbol>().ToList();
            return types.FirstOrDefault(t => t.Arity == 0) ?? types.FirstOrDefault();
        }

        /// <summary>
        /// Why generated code cannot call <paramref name="method"/> in its role (problem and fix), or null
        /// with the call's description in <paramref name="reference"/>.
        /// </summary>
        private static string[]? RuleMethodProblem(IMethodSymbol method, MethodRole role, TypeNames names, out MethodRef? reference, out bool hasErrors)
        {
            reference = null;
            string shape = role switch
            {
                MethodRole.ConfigChanged => ConfigChangedShape,
                MethodRole.UpToDateIf => UpToDateIfShape,
                MethodRole.LocalPre or MethodRole.LocalPost => string.Format(CultureInfo.InvariantCulture, LocalStepShape, role.ToString()),
                MethodRole.ForEach => ForEachShape,
                _ => CleanShape,
            };

            ITypeSymbol returnType = method.ReturnType;
            hasErrors = ContainsErrors(returnType) || method.ContainingType.TypeKind == TypeKind.Error;
            if (hasErrors)
            {
                return null;
            }

            string[]? shapeProblem = ShapeProblem(method, method.ContainingType);
            if (shapeProblem is not null)
            {
                return shapeProblem;
            }

            if (role == MethodRole.ForEach)
            {
                return ForEachProblem(method, shape, names, out reference, out hasErrors);
            }

            ReturnKind returnKind;
            switch (role)
            {
                case MethodRole.Clean:
                case MethodRole.LocalPre:
                case MethodRole.LocalPost:
                    returnKind = ClassifyReturn(method, out string? returnProblem, out _);
                    if (returnProblem is not null)
                    {
                        return new[] { returnProblem, shape };
                    }

                    break;
                case MethodRole.ConfigChanged:
                    returnKind = ClassifyReturn(method, out string? valueProblem, out _);
                    if (valueProblem is not null)
                    {
                        return new[] { valueProblem, shape };
                    }

                    if (returnKind == ReturnKind.Void)
                    {
                        return new[] { "it returns void", shape };
                    }

                    if (returnKind != ReturnKind.Value)
                    {
                        return new[] { "it returns '" + returnType.ToDisplayString() + "', but the value is computed synchronously", shape };
                    }

                    break;
                default:
                    returnKind = ClassifyReturn(method, out string? predicateProblem, out _);
                    bool isBool = returnKind == ReturnKind.Value && IsBoolOrNullableBool(returnType);
                    bool isTaskOfBool = returnKind == ReturnKind.AwaitableOfT
                        && returnType is INamedTypeSymbol { TypeArguments.Length: 1 } awaitable
                        && IsBoolOrNullableBool(awaitable.TypeArguments[0]);
                    if (predicateProblem is not null || !(isBool || isTaskOfBool))
                    {
                        return new[] { "it returns '" + returnType.ToDisplayString() + "'", shape };
                    }

                    break;
            }

            var parameters = new List<ParameterSpec>();
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                ParameterSpec? spec = ClassifyRuleParameter(parameter, role, names, out string? problem);
                if (spec is not null)
                {
                    parameters.Add(spec);
                    continue;
                }

                if (problem is null)
                {
                    hasErrors = true;
                    return null;
                }

                return new[] { "its parameter '" + parameter.Name + "' " + problem, shape };
            }

            reference = new MethodRef(
                TypeFullName: names.FullyQualified(method.ContainingType),
                MethodName: method.Name,
                IsStatic: method.IsStatic,
                ReturnKind: returnKind,
                Parameters: parameters.ToEquatableArray());
            return null;
        }

        /// <summary>
        /// Why generated code cannot call a <c>[ForEach]</c> method as <c>host =&gt; Type.Method(host)</c> (or with no
        /// argument), or null with the call in <paramref name="reference"/>: its one parameter, if any, is the host.
        /// </summary>
        private static string[]? ForEachProblem(IMethodSymbol method, string shape, TypeNames names, out MethodRef? reference, out bool hasErrors)
        {
            reference = null;
            hasErrors = method.Parameters.Any(p => ContainsErrors(p.Type));
            if (hasErrors)
            {
                return null;
            }

            if (!method.IsStatic)
            {
                return new[] { "it is an instance method, and the items are asked for before any task runs", "Make the method static." };
            }

            ITypeSymbol returnType = method.ReturnType;
            if (method.ReturnsVoid || method.ReturnsByRef || method.ReturnsByRefReadonly || !IsEnumerableOfString(returnType))
            {
                return new[] { "it returns '" + returnType.ToDisplayString() + "'", shape };
            }

            if (method.Parameters.Length > 1)
            {
                return new[] { "it takes " + method.Parameters.Length.ToString(CultureInfo.InvariantCulture) + " parameters", shape };
            }

            var parameters = new List<ParameterSpec>();
            if (method.Parameters.Length == 1)
            {
                IParameterSymbol parameter = method.Parameters[0];
                bool isHost = parameter.RefKind == RefKind.None
                    && parameter.Type is INamedTypeSymbol { Name: "HostInfo", Arity: 0, ContainingType: null } host
                    && IsInNamespace(host, AttributeNames.Namespace);
                if (!isHost)
                {
                    return new[] { "its parameter '" + parameter.Name + "' has type '" + parameter.Type.ToDisplayString() + "', not HostInfo", shape };
                }

                parameters.Add(new ParameterSpec(ParameterKind.Service, names.FullyQualified(parameter.Type)));
            }

            reference = new MethodRef(names.FullyQualified(method.ContainingType), method.Name, true, ReturnKind.Value, parameters.ToEquatableArray());
            return null;
        }

        /// <summary>Whether a value of the type is an <c>IEnumerable&lt;string&gt;</c>: the interface itself, or a type implementing it.</summary>
        private static bool IsEnumerableOfString(ITypeSymbol type)
        {
            static bool IsIt(ITypeSymbol candidate) =>
                candidate is INamedTypeSymbol { Arity: 1 } named
                && named.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
                && named.TypeArguments[0].SpecialType == SpecialType.System_String;

            return IsIt(type) || type.AllInterfaces.Any(IsIt);
        }

        /// <summary>Classifies a parameter of a rule or clean method; null with a null problem for a type with errors.</summary>
        private static ParameterSpec? ClassifyRuleParameter(IParameterSymbol parameter, MethodRole role, TypeNames names, out string? problem)
        {
            bool isUpToDateContext = parameter.RefKind == RefKind.None
                && parameter.Type is INamedTypeSymbol { Name: "UpToDateContext", Arity: 0, ContainingType: null } named
                && IsInNamespace(named, AttributeNames.Namespace);
            if (isUpToDateContext)
            {
                problem = role == MethodRole.UpToDateIf ? null : "has type 'UpToDateContext', which only [UpToDateIf] methods get";
                return problem is null ? new ParameterSpec(ParameterKind.UpToDateContext, names.FullyQualified(parameter.Type)) : null;
            }

            ParameterSpec? spec = ClassifyParameter(parameter, names, out problem);
            if (spec is null || role == MethodRole.Clean || role == MethodRole.LocalPre || role == MethodRole.LocalPost || spec.Kind == ParameterKind.Service)
            {
                return spec;
            }

            if (spec.Kind == ParameterKind.CancellationToken && role == MethodRole.UpToDateIf)
            {
                return spec;
            }

            problem = "has type '" + parameter.Type.ToDisplayString() + "'";
            return null;
        }
    }
}
