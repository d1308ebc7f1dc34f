using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Orchestrate.Generators
{
    /// <summary>
    /// One syntax tree as the generator sees it: where the bodies of its methods, constructors, operators and
    /// accessors are ("cuts"), and a hash of its text without them (its "declarations").
    /// </summary>
    /// <remarks>
    /// A body cannot change anything the task models read from symbols (types, attributes and their constant
    /// arguments, accessibility, other members): those depend only on the declarations. So when every tree keeps
    /// its declarations, the models of the previous run still hold, with their locations moved to the new
    /// positions. Positions in the models are kept in "declaration coordinates" (offsets into the text without the
    /// cuts, each cut counting as one character), which an edit inside a body does not move. A body that holds
    /// preprocessor directives (which can change the nullable context or the active code after it) is not cut.
    /// </remarks>
    internal sealed class TreeInfo
    {
        /// <summary>Stands for a cut body in the declarations.</summary>
        private const char CutMark = '\u0001';

        private TreeInfo(string filePath, ParseOptions options, SourceText text, byte[] declarationsHash, int[] cutStarts, int[] cutEnds, int[] cutDeclarationStarts)
        {
            FilePath = filePath;
            Options = options;
            Text = text;
            DeclarationsHash = declarationsHash;
            CutStarts = cutStarts;
            CutEnds = cutEnds;
            CutDeclarationStarts = cutDeclarationStarts;
        }

        public string FilePath { get; }

        /// <summary>The parse options (language version, preprocessor symbols): part of what the declarations mean.</summary>
        private ParseOptions Options { get; }

        /// <summary>The tree's text, for line positions.</summary>
        private SourceText Text { get; }

        /// <summary>SHA-256 of the text without the cut bodies (each replaced by one <see cref="CutMark"/>), so the text is not kept twice.</summary>
        private byte[] DeclarationsHash { get; }

        /// <summary>Start of each cut in the text, ascending.</summary>
        private int[] CutStarts { get; }

        /// <summary>End (exclusive) of each cut in the text.</summary>
        private int[] CutEnds { get; }

        /// <summary>Position of each cut's mark in the declarations.</summary>
        private int[] CutDeclarationStarts { get; }

        public static TreeInfo Create(SyntaxTree tree, CancellationToken cancellationToken)
        {
            SyntaxNode root = tree.GetRoot(cancellationToken);
            SourceText text = tree.GetText(cancellationToken);

            var cuts = new List<TextSpan>();
            foreach (SyntaxNode node in root.DescendantNodes(IsDeclarationContainer))
            {
                SyntaxNode? body = node switch
                {
                    BaseMethodDeclarationSyntax method => (SyntaxNode?)method.Body ?? method.ExpressionBody,
                    AccessorDeclarationSyntax accessor => (SyntaxNode?)accessor.Body ?? accessor.ExpressionBody,
                    _ => null,
                };
                if (body is not null && !body.ContainsDirectives && body.Span.Length > 0)
                {
                    cuts.Add(body.Span);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            int[] cutStarts = new int[cuts.Count];
            int[] cutEnds = new int[cuts.Count];
            int[] cutDeclarationStarts = new int[cuts.Count];
            byte[] hash;
            using (var sha = SHA256.Create())
            {
                char[] chars = new char[4096];
                byte[] bytes = new byte[chars.Length * 2];
                int declarationLength = 0;
                int position = 0;
                for (int i = 0; i <= cuts.Count; i++)
                {
                    int pieceEnd = i < cuts.Count ? cuts[i].Start : text.Length;
                    while (position < pieceEnd)
                    {
                        int count = Math.Min(chars.Length, pieceEnd - position);
                        text.CopyTo(position, chars, 0, count);
                        Hash(sha, chars, count, bytes);
                        position += count;
                        declarationLength += count;
                    }

                    if (i < cuts.Count)
                    {
                        cutStarts[i] = cuts[i].Start;
                        cutEnds[i] = cuts[i].End;
                        cutDeclarationStarts[i] = declarationLength;
                        chars[0] = CutMark;
                        Hash(sha, chars, 1, bytes);
                        declarationLength++;
                        position = cuts[i].End;
                    }
                }

                sha.TransformFinalBlock(bytes, 0, 0);
                hash = sha.Hash;
            }

            return new TreeInfo(tree.FilePath, tree.Options, text, hash, cutStarts, cutEnds, cutDeclarationStarts);
        }

        private static void Hash(HashAlgorithm sha, char[] chars, int count, byte[] bytes)
        {
            for (int i = 0; i < count; i++)
            {
                bytes[2 * i] = (byte)chars[i];
                bytes[(2 * i) + 1] = (byte)(chars[i] >> 8);
            }

            sha.TransformBlock(bytes, 0, count * 2, null, 0);
        }

        /// <summary>Nodes whose children may be methods or accessors: the walks do not enter anything else.</summary>
        internal static bool IsDeclarationContainer(SyntaxNode node) =>
            node is CompilationUnitSyntax
                or BaseNamespaceDeclarationSyntax
                or TypeDeclarationSyntax
                or BasePropertyDeclarationSyntax
                or AccessorListSyntax;

        /// <summary>Whether the two trees declare the same things (they may differ inside the cut bodies).</summary>
        public bool SameDeclarations(TreeInfo other) =>
            ReferenceEquals(this, other)
            || (string.Equals(FilePath, other.FilePath, StringComparison.Ordinal)
                && Options.Equals(other.Options)
                && SameItems(DeclarationsHash, other.DeclarationsHash)
                && SameItems(CutDeclarationStarts, other.CutDeclarationStarts));

        /// <summary>A position of the text in declaration coordinates (a position inside a cut maps to its mark).</summary>
        public int ToDeclaration(int position)
        {
            // The last cut that starts before the position.
            int i = LastAtOrBefore(CutStarts, position - 1);
            if (i < 0)
            {
                return position;
            }

            if (position < CutEnds[i])
            {
                return CutDeclarationStarts[i];
            }

            return CutDeclarationStarts[i] + 1 + (position - CutEnds[i]);
        }

        /// <summary>A position in declaration coordinates back in the text.</summary>
        public int FromDeclaration(int position)
        {
            // The last cut whose mark lies before the position.
            int i = LastAtOrBefore(CutDeclarationStarts, position - 1);
            return i < 0 ? position : CutEnds[i] + (position - CutDeclarationStarts[i] - 1);
        }

        public LinePositionSpan LineSpan(TextSpan span) => Text.Lines.GetLinePositionSpan(span);

        /// <summary>The index of the last element not greater than <paramref name="value"/>, or -1.</summary>
        private static int LastAtOrBefore(int[] sorted, int value)
        {
            int low = 0;
            int high = sorted.Length - 1;
            while (low <= high)
            {
                int mid = low + ((high - low) >> 1);
                if (sorted[mid] <= value)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid - 1;
                }
            }

            return high;
        }

        private static bool SameItems<T>(T[] left, T[] right)
            where T : IEquatable<T>
        {
            if (left.Length != right.Length)
            {
                return false;
            }

            for (int i = 0; i < left.Length; i++)
            {
                if (!left[i].Equals(right[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// The compilation, with the declarations of its trees: compares equal to the gate of an earlier compilation
    /// when nothing but method bodies changed, so that the symbol work downstream is not redone.
    /// </summary>
    /// <remarks>
    /// While it compares equal the pipeline keeps the earlier instance, and with it the earlier compilation; that
    /// compilation is only used when the declarations changed, and then this gate holds the current one.
    /// </remarks>
    internal sealed class DeclarationGate
    {
        public static readonly IEqualityComparer<DeclarationGate> Comparer = new GateComparer();

        public DeclarationGate(Compilation compilation, ImmutableArray<TreeInfo> trees)
        {
            Compilation = compilation;
            Trees = trees;
        }

        public Compilation Compilation { get; }

        public ImmutableArray<TreeInfo> Trees { get; }

        private sealed class GateComparer : IEqualityComparer<DeclarationGate>
        {
            public bool Equals(DeclarationGate? x, DeclarationGate? y)
            {
                if (ReferenceEquals(x, y))
                {
                    return true;
                }

                if (x is null || y is null || x.Trees.Length != y.Trees.Length)
                {
                    return false;
                }

                Compilation left = x.Compilation;
                Compilation right = y.Compilation;
                if (!string.Equals(left.AssemblyName, right.AssemblyName, StringComparison.Ordinal)
                    || !left.Options.Equals(right.Options)
                    || !left.References.SequenceEqual(right.References))
                {
                    return false;
                }

                for (int i = 0; i < x.Trees.Length; i++)
                {
                    if (!x.Trees[i].SameDeclarations(y.Trees[i]))
                    {
                        return false;
                    }
                }

                return true;
            }

            public int GetHashCode(DeclarationGate obj) => obj.Trees.Length;
        }
    }

    /// <summary>A task model with its positions in declaration coordinates, and the tree it was found in.</summary>
    internal sealed record DeclaredTask(int TreeIndex, TaskModel Model);

    /// <summary>Finds the <c>[Task]</c> methods of a compilation and moves their models between coordinates.</summary>
    internal static class DeclarationIndex
    {
        /// <summary>Every <c>[Task]</c> method of the compilation, in tree and source order, in declaration coordinates.</summary>
        public static ImmutableArray<DeclaredTask> FindTasks(DeclarationGate gate, CancellationToken cancellationToken)
        {
            Compilation compilation = gate.Compilation;
            ImmutableArray<DeclaredTask>.Builder tasks = ImmutableArray.CreateBuilder<DeclaredTask>();
            var names = new TypeNames();
            int treeIndex = 0;
            foreach (SyntaxTree tree in compilation.SyntaxTrees)
            {
                TreeInfo info = treeIndex < gate.Trees.Length && string.Equals(gate.Trees[treeIndex].FilePath, tree.FilePath, StringComparison.Ordinal)
                    ? gate.Trees[treeIndex]
                    : TreeInfo.Create(tree, cancellationToken);
                SemanticModel? semanticModel = null;
                SyntaxNode root = tree.GetRoot(cancellationToken);
                foreach (SyntaxNode node in root.DescendantNodes(TreeInfo.IsDeclarationContainer))
                {
                    if (node is not MethodDeclarationSyntax { AttributeLists.Count: > 0 } method)
                    {
                        continue;
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    semanticModel ??= compilation.GetSemanticModel(tree);
                    if (semanticModel.GetDeclaredSymbol(method, cancellationToken) is not IMethodSymbol symbol)
                    {
                        continue;
                    }

                    AttributeData? taskAttribute = FindTaskAttribute(symbol.GetAttributes(), tree)
                        ?? FindTaskAttribute(symbol.GetReturnTypeAttributes(), tree);
                    if (taskAttribute is null)
                    {
                        continue;
                    }

                    TaskModel model = TaskModelFactory.Create(semanticModel, method, symbol, taskAttribute, names, cancellationToken);
                    model = TaskModelFactory.AddDynamic(model, method, symbol, names, cancellationToken);
                    tasks.Add(new DeclaredTask(treeIndex, MapLocations(model, location => ToDeclaration(location, info, gate.Trees))));
                }

                treeIndex++;
            }

            return tasks.ToImmutable();
        }

        /// <summary>The model with its positions in the current text of its trees.</summary>
        public static TaskModel ToText(DeclaredTask task, ImmutableArray<TreeInfo> trees) =>
            MapLocations(task.Model, location =>
            {
                TreeInfo? info = Find(location.FilePath, task.TreeIndex, trees);
                if (info is null)
                {
                    return location;
                }

                var span = TextSpan.FromBounds(info.FromDeclaration(location.Span.Start), info.FromDeclaration(location.Span.End));
                return new LocationInfo(location.FilePath, span, info.LineSpan(span));
            });

        /// <summary>The <c>[Task]</c> attribute applied in <paramref name="tree"/>, as ForAttributeWithMetadataName matches it.</summary>
        private static AttributeData? FindTaskAttribute(ImmutableArray<AttributeData> attributes, SyntaxTree tree)
        {
            foreach (AttributeData attribute in attributes)
            {
                if (attribute.AttributeClass is { MetadataName: "TaskAttribute", ContainingType: null } attributeClass
                    && attributeClass.ContainingNamespace is { Name: AttributeNames.Namespace } ns
                    && ns.ContainingNamespace is { IsGlobalNamespace: true }
                    && attribute.ApplicationSyntaxReference?.SyntaxTree == tree)
                {
                    return attribute;
                }
            }

            return null;
        }

        private static LocationInfo ToDeclaration(LocationInfo location, TreeInfo own, ImmutableArray<TreeInfo> trees)
        {
            TreeInfo? info = string.Equals(own.FilePath, location.FilePath, StringComparison.Ordinal) ? own : Find(location.FilePath, -1, trees);
            if (info is null)
            {
                return location;
            }

            // The line span carries the declaration positions too, as LocationInfo compares only file and lines.
            int start = info.ToDeclaration(location.Span.Start);
            int end = info.ToDeclaration(location.Span.End);
            return new LocationInfo(location.FilePath, TextSpan.FromBounds(start, end), new LinePositionSpan(new LinePosition(0, start), new LinePosition(0, end)));
        }

        private static TreeInfo? Find(string filePath, int preferred, ImmutableArray<TreeInfo> trees)
        {
            if (preferred >= 0 && preferred < trees.Length && string.Equals(trees[preferred].FilePath, filePath, StringComparison.Ordinal))
            {
                return trees[preferred];
            }

            foreach (TreeInfo tree in trees)
            {
                if (string.Equals(tree.FilePath, filePath, StringComparison.Ordinal))
                {
                    return tree;
                }
            }

            return null;
        }

        private static TaskModel MapLocations(TaskModel model, Func<LocationInfo, LocationInfo> map)
        {
            LocationInfo? One(LocationInfo? location) => location is null ? null : map(location);

            ReferenceLocation? Reference(ReferenceLocation? reference) =>
                reference is null ? null : new ReferenceLocation(One(reference.Attribute), One(reference.Argument));

            EquatableArray<ReferenceLocation> References(EquatableArray<ReferenceLocation> references)
            {
                if (references.IsEmpty)
                {
                    return references;
                }

                var mapped = new ReferenceLocation[references.Count];
                for (int i = 0; i < mapped.Length; i++)
                {
                    mapped[i] = Reference(references[i])!;
                }

                return new EquatableArray<ReferenceLocation>(mapped);
            }

            EquatableArray<DiagnosticInfo> diagnostics = model.Diagnostics;
            if (!diagnostics.IsEmpty)
            {
                var mapped = new DiagnosticInfo[diagnostics.Count];
                for (int i = 0; i < mapped.Length; i++)
                {
                    DiagnosticInfo diagnostic = diagnostics[i];
                    EquatableArray<LocationInfo> additional = diagnostic.AdditionalLocations;
                    if (!additional.IsEmpty)
                    {
                        var locations = new LocationInfo[additional.Count];
                        for (int j = 0; j < locations.Length; j++)
                        {
                            locations[j] = map(additional[j]);
                        }

                        additional = new EquatableArray<LocationInfo>(locations);
                    }

                    mapped[i] = diagnostic with { Location = One(diagnostic.Location), AdditionalLocations = additional };
                }

                diagnostics = new EquatableArray<DiagnosticInfo>(mapped);
            }

            TaskModel relocated = new TaskModel(
                model.Spec,
                One(model.TaskAttribute),
                References(model.DependsOnLocations),
                Reference(model.CreateAfterLocation),
                References(model.FileDepLocations),
                References(model.TargetLocations),
                References(model.ResultDepLocations),
                References(model.SequenceLocations),
                Reference(model.SubSequenceOfLocation),
                diagnostics);
            return relocated.WithDynamicLocationsOf(model, reference => Reference(reference)!);
        }
    }
}
