using Orchestrate;

namespace HelloC;

/// <summary>A small C program built in steps: two objects compiled in parallel, a link, a test, a tarball.</summary>
public static class Build
{
    /// <summary>Compile greet.c into out/obj/greet.o</summary>
    [Task, FileDep("src/greet.c", "src/greet.h"), Targets("out/obj/greet.o")]
    public static Task CompileGreet(TaskContext ctx) => Compile(ctx, "greet");

    /// <summary>Compile main.c into out/obj/main.o</summary>
    [Task, FileDep("src/main.c", "src/greet.h"), Targets("out/obj/main.o")]
    public static Task CompileMain(TaskContext ctx) => Compile(ctx, "main");

    /// <summary>Link the objects into out/bin/hello</summary>
    // No DependsOn needed: the file deps are the compile tasks' targets, which orders them.
    [Task, FileDep("out/obj/greet.o", "out/obj/main.o"), Targets("out/bin/hello")]
    public static async Task Link(TaskContext ctx)
    {
        Directory.CreateDirectory(Path.Combine(ctx.ProjectDirectory, "out", "bin"));
        await ctx.Run("gcc", "out/obj/main.o", "out/obj/greet.o", "-o", "out/bin/hello");
    }

    /// <summary>Run the program and check what it prints</summary>
    [Task, FileDep("out/bin/hello")]
    public static async Task Test(TaskContext ctx)
    {
        var result = await ctx.Run("out/bin/hello", "Orchestrate");
        if (result.StdOut.Trim() != "Hello, Orchestrate!")
        {
            throw new InvalidOperationException($"out/bin/hello printed '{result.StdOut.Trim()}', expected 'Hello, Orchestrate!'");
        }

        ctx.Log("out/bin/hello greets as expected");
    }

    /// <summary>Pack the program into out/dist/hello.tar.gz</summary>
    [Task, DependsOn(nameof(Test)), FileDep("out/bin/hello"), Targets("out/dist/hello.tar.gz")]
    public static Task Package(TaskContext ctx) =>
        ctx.Shell("mkdir -p out/dist && tar -czf out/dist/hello.tar.gz -C out bin/hello && echo \"packed $(wc -c < out/dist/hello.tar.gz) bytes\"");

    private static async Task Compile(TaskContext ctx, string unit)
    {
        Directory.CreateDirectory(Path.Combine(ctx.ProjectDirectory, "out", "obj"));
        await ctx.Run("gcc", "-Wall", "-c", $"src/{unit}.c", "-o", $"out/obj/{unit}.o");
    }
}
