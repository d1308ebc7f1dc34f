using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Orchestrate.Tests.Generators.GeneratorHarness;

namespace Orchestrate.Tests.Generators;

[TestFixture]
public sealed class TaskNamingTests
{
    private static string Generated(string body)
    {
        GenerationResult result = Run(body);
        Assert.That(result.Diagnostics, Is.Empty);
        Assert.That(result.OutputErrors, Is.Empty);
        return result.GeneratedSource!;
    }

    [TestCase("Compile", "compile")]
    [TestCase("BuildDocs", "build-docs")]
    [TestCase("HTTPServer", "http-server")]
    [TestCase("RunXUnitTests", "run-x-unit-tests")]
    [TestCase("Build_Docs", "build-docs")]
    [TestCase("Deploy2Prod", "deploy2-prod")]
    [TestCase("IO", "io")]
    [TestCase("lowercase", "lowercase")]
    public void TaskName_DefaultsToKebabCaseMethodName(string method, string expected)
    {
        string source = Generated($"public static class Build {{ [Task] public static void {method}() {{ }} }}");
        Assert.That(source, Does.Contain($"Name = \"{expected}\","));
        Assert.That(source, Does.Contain($"Method = \"Build.{method}\","));
    }

    [Test]
    public void TaskName_CanBeSetByConstructorOrNamedArgument()
    {
        string source = Generated("""
            public static class Build
            {
                [Task("ci")] public static void Everything() { }
                [Task(Name = "docs")] public static void BuildDocs() { }
            }
            """);
        Assert.That(source, Does.Contain("Name = \"ci\","));
        Assert.That(source, Does.Contain("Name = \"docs\","));
        Assert.That(source, Does.Not.Contain("\"everything\""));
        Assert.That(source, Does.Not.Contain("\"build-docs\""));
    }

    [Test]
    public void Default_IsTakenFromTheAttribute()
    {
        string source = Generated("""
            public static class Build
            {
                [Task(Default = true)] public static void All() { }
                [Task(Default = false)] public static void Some() { }
                [Task] public static void None() { }
            }
            """);
        Assert.That(source, Does.Contain("Name = \"all\",").And.Contain("IsDefault = true,"));
        Assert.That(source.Split("IsDefault = true,").Length - 1, Is.EqualTo(1));
    }

    [TestCase("/// <summary>Compile the C sources</summary>", "Compile the C sources")]
    [TestCase("/// <summary>\n    /// Compile   the C\n    /// sources. Then stop.\n    /// </summary>", "Compile the C sources.")]
    [TestCase("/// <summary>Runs <see cref=\"System.String\"/> and <c>code</c> &amp; more.</summary>", "Runs String and code & more.")]
    [TestCase("/// <summary>First paragraph\n    ///\n    /// second paragraph</summary>", "First paragraph")]
    [TestCase("/// <summary>Uses <see langword=\"null\"/>!</summary>", "Uses null!")]
    [TestCase("/// <remarks>No summary.</remarks>", null)]
    [TestCase("// <summary>Not a doc comment</summary>", null)]
    [TestCase("/// <summary>   </summary>", null)]
    [TestCase("/** <summary>Block doc.</summary> */", "Block doc.")]
    public void Doc_IsTheFirstSentenceOfTheSummary(string comment, string? expected)
    {
        string source = Generated($$"""
            public static class Build
            {
                {{comment}}
                [Task]
                public static void Run() { }
            }
            """);
        string expectedLine = expected is null ? "Doc = null," : $"Doc = {SymbolDisplay.FormatLiteral(expected, quote: true)},";
        Assert.That(source, Does.Contain(expectedLine));
    }

    [Test]
    public void Doc_FromAttribute_WinsOverSummary()
    {
        string source = Generated("""
            public static class Build
            {
                /// <summary>From the summary.</summary>
                [Task(Doc = "From \"the\" attribute")]
                public static void Run() { }
            }
            """);
        Assert.That(source, Does.Contain("""Doc = "From \"the\" attribute","""));
    }

    [Test]
    public void Doc_IsReadWhenDocumentationCommentsAreNotParsed()
    {
        CSharpParseOptions options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.None);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(Usings + """
            public static class Build
            {
                /// <summary>Compile the C sources</summary>
                [Task]
                public static void Compile() { }
            }
            """, options, "Tasks.cs");
        GenerationResult result = Run(tree);
        Assert.That(result.GeneratedSource, Does.Contain("Doc = \"Compile the C sources\","));
    }

    [Test]
    public void References_ResolveByTaskNameMethodNameAndTypeMethod()
    {
        string source = Generated("""
            namespace Company.Build
            {
                public static class Native
                {
                    [Task("cc")] public static void Compile() { }
                    [Task] public static void Link() { }
                }

                public static class Pack
                {
                    [Task, DependsOn("cc", "Link", "Native.Compile")]
                    [CreateAfter("Native.Link")]
                    public static void Zip() { }
                }
            }
            """);
        Assert.That(source, Does.Contain("""
                            Name = "zip",
                            Method = "Pack.Zip",
                            Doc = null,
                            DependsOn = new string[] { "cc", "link" },
                            FileDeps = new string[] { },
                            Targets = new string[] { },
                            CreateAfter = "link",
            """));
    }
}
